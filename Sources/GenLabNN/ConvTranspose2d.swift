/// `torch.nn.ConvTranspose2d` with square kernel, stride, padding and output padding:
/// weight (in, out, k, k), bias (out). The forward pass is the data gradient of a
/// convolution: Winograd's algorithm where it saves multiply-adds (3×3 and 5×5, stride 1:
/// `WinogradConvolution`), else oneDNN's direct kernel where it has one (`DirectConvolution`),
/// otherwise per chunk of the batch (see `BatchChunks`) one sgemm into columns, then col2im.
public final class ConvTranspose2d: RectifiesItsOutput, MultipliesMatrices {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let outputPadding: Int
    public let weight: Parameter
    public let bias: Parameter?
    public var isTraining = true
    /// What its matrix products multiply (fp32 unless the model is trained in bf16).
    public var precision = Precision.fp32
    public var typeName: String { "ConvTranspose2d" }

    private let output = Tensor(zeros: [0])
    private let gradInput = Tensor(zeros: [0])
    /// A chunk's columns (out·k·k × chunk·H·W): the product before col2im, and its gradient.
    /// The workspaces are released after each pass (see `Tensor.release()`) unless they
    /// hold the input for backward.
    private let columns = Tensor(zeros: [0])
    /// A chunk of the input, or of its gradient, in channel-major layout (in × chunk·H·W).
    private let inputChannelMajor = Tensor(zeros: [0])
    /// The adjoint convolution: from the output image back to the input grid.
    private var geometry: ConvGeometry?
    /// The last input (owned by the layer before, unchanged until backward).
    private var input: Tensor?
    /// Whether `inputChannelMajor` still holds the whole batch's input from forward.
    private var channelMajorHoldsInput = false
    /// oneDNN's direct kernels for the last input shape.
    private var direct = DirectConvolutions()
    /// Winograd's algorithm, for the passes it runs.
    private let winograd = WinogradConvolution()
    /// Whether the last forward pass ran by Winograd's algorithm.
    private var forwardByWinograd = false
    let secondOrder = SecondOrderState()
    /// The same layer sharing this one's weight, without bias (see `LinearInInputAndWeight`).
    lazy var twin = ConvTranspose2d(sharingWeightOf: self)
    /// Whether the layer may run on oneDNN's direct kernels and Winograd's algorithm (true
    /// unless a test compares with im2col).
    public var usesDirectKernels: Bool {
        get { direct.isEnabled }
        set { direct.isEnabled = newValue }
    }
    /// Whether the layer may run by Winograd's algorithm where it uses direct kernels (by
    /// default where it was measured faster, `WinogradConvolution.isPreferred`; a test sets it).
    /// Training passes only: in evaluation mode (samples, reconstructions, latents, analyses,
    /// which the Python reader recomputes from the run file) the layer runs its direct kernels,
    /// whose rounding is a direct sum's; Winograd's is about ten times larger.
    public var usesWinograd = WinogradConvolution.isPreferred
    /// The kernel the last forward pass ran on: "winograd", oneDNN's name for it (for instance
    /// "jit:avx512_core"), or "im2col".
    public var kernel: String { forwardByWinograd ? "winograd" : direct.kernel }

    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, bias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        weight = Parameter(shape: [inChannels, outChannels, kernelSize, kernelSize])
        self.bias = bias ? Parameter(shape: [outChannels]) : nil
    }

    /// `other`'s shape and weight (the same `Parameter`), without bias.
    private init(sharingWeightOf other: ConvTranspose2d) {
        (inChannels, outChannels, kernelSize) = (other.inChannels, other.outChannels, other.kernelSize)
        (stride, padding, outputPadding, weight, bias) = (other.stride, other.padding, other.outputPadding, other.weight, nil)
        usesDirectKernels = other.usesDirectKernels
        usesWinograd = other.usesWinograd
        precision = other.precision
    }

    public var parameters: [NamedParameter] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// (H − 1)·s − 2p + k + output_padding.
    private func outputSize(_ size: Int) -> Int {
        (size - 1) * stride - 2 * padding + kernelSize + outputPadding
    }

    func geometry(for inputShape: [Int]) throws(ShapeError) -> ConvGeometry {
        guard inputShape.count == 4, inputShape[1] == inChannels else {
            throw ShapeError("ConvTranspose2d(\(inChannels)→\(outChannels)) expects images of \(inChannels) channels but receives \(inputShape.dropFirst().map { $0 }.shapeDescription)")
        }
        guard stride > 0, padding >= 0, outputPadding >= 0, outputPadding < stride else {
            throw ShapeError("ConvTranspose2d needs stride > 0, padding ≥ 0 and 0 ≤ output_padding < stride (stride \(stride), output_padding \(outputPadding))")
        }
        let height = outputSize(inputShape[2]), width = outputSize(inputShape[3])
        let g = ConvGeometry(channels: outChannels, height: height, width: width,
                             kernel: kernelSize, stride: stride, padding: padding)
        guard height > 0, width > 0, g.isValid, g.outputHeight == inputShape[2], g.outputWidth == inputShape[3] else {
            throw ShapeError("ConvTranspose2d kernel \(kernelSize) (stride \(stride), padding \(padding)) gives no output for an input of \(inputShape[2])×\(inputShape[3])")
        }
        return g
    }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        let g = try geometry(for: inputShape)
        return [inputShape[0], outChannels, g.height, g.width]
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        try forward(input, rectifier: nil)
    }

    /// The output rectified in the pass that adds the bias, or in one of its own. Not in
    /// oneDNN's kernel: oneDNN 2.6 runs a transposed convolution with a post-op about 20×
    /// slower (the ARENA VAE's 32→16, 7×7 → 14×14: 22 ms a call against 1 ms).
    public func forward(_ input: Tensor, rectifier: Rectifier?) throws(ShapeError) -> Tensor {
        let g = try geometry(for: input.shape)
        let n = input.shape[0]
        geometry = g
        self.input = input
        output.resize(to: [n, outChannels, g.height, g.width])
        let convolution = direct.convolution(for: DirectConvolution.Shape(
            transposed: true, batch: n, inChannels: inChannels, outChannels: outChannels,
            height: input.shape[2], width: input.shape[3], outHeight: g.height, outWidth: g.width,
            kernel: kernelSize, stride: stride, padding: padding, precision: precision))
        channelMajorHoldsInput = false
        let pass = WinogradConvolution.Pass(
            inChannels: inChannels, height: input.shape[2], width: input.shape[3], padding: kernelSize - 1 - padding,
            outChannels: outChannels, kernel: kernelSize, transposedWeight: true, flipped: true,
            directMultiplies: kernelSize * kernelSize * input.shape[2] * input.shape[3])
        forwardByWinograd = runsByWinograd(pass)
        if forwardByWinograd {
            winograd.correlate(pass, input.data, batch: n, weight: weight.value.data, into: output.data)
        } else if let convolution, convolution.runsForward {
            convolution.forward(input.data, weight: weight.value.data, into: output.data)
        } else {
            forwardByColumns(input, geometry: g)
            columns.release()
            if !channelMajorHoldsInput { inputChannelMajor.release() }
        }
        ChannelLayout.finish(output.data, batch: n, channels: outChannels, plane: g.height * g.width,
                             bias: bias.map { UnsafePointer($0.value.data) }, rectifier: rectifier)
        return output
    }

    /// Per chunk of the batch (see `BatchChunks`): one sgemm into columns, then col2im.
    private func forwardByColumns(_ input: Tensor, geometry g: ConvGeometry) {
        let n = input.shape[0], plane = input.shape[2] * input.shape[3]
        let imageSize = inChannels * plane, outputSize = outChannels * g.height * g.width
        for (start, count) in BatchChunks.ranges(batch: n, rows: g.patchSize, plane: plane) {
            inputChannelMajor.resize(to: [inChannels, count * plane])
            columns.resize(to: [g.patchSize, count * plane])
            ChannelLayout.toChannelMajor(input.data + start * imageSize, batch: count, channels: inChannels, plane: plane,
                                         into: inputChannelMajor.data)
            BLAS.gemm(transA: true, m: g.patchSize, n: count * plane, k: inChannels,
                      a: weight.value.data, lda: g.patchSize, b: inputChannelMajor.data, ldb: count * plane,
                      beta: 0, c: columns.data, ldc: count * plane, precision: precision)
            Im2Col.fold(columns.data, batch: count, geometry: g, into: output.data + start * outputSize)
            channelMajorHoldsInput = count == n
        }
    }

    /// May run again for the same forward pass (see `SecondOrderLayer`).
    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let g = geometry, let input else { throw ShapeError("ConvTranspose2d: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: input.shape)
        // ∂L/∂input: the convolution of ∂L/∂output with the weight as stored
        let pass = WinogradConvolution.Pass(
            inChannels: outChannels, height: g.height, width: g.width, padding: padding, outChannels: inChannels,
            kernel: kernelSize, transposedWeight: false, flipped: false, directMultiplies: kernelSize * kernelSize * input.shape[2] * input.shape[3])
        convolutionBackward(gradOutput, input: input, gradInput: gradInput, weight: weight, bias: bias,
                            winograd: runsByWinograd(pass) ? (winograd, pass) : nil, direct: direct.current,
                            accumulateParameterGradients: accumulateParameterGradients) { data, weights in
            backwardByColumns(gradOutput, input: input, geometry: g, data: data, weights: weights)
            columns.release()
            inputChannelMajor.release()
        }
        channelMajorHoldsInput = false
        return gradInput
    }

    private func runsByWinograd(_ pass: WinogradConvolution.Pass) -> Bool {
        isTraining && usesDirectKernels && usesWinograd && WinogradConvolution.runs(pass, stride: stride, precision: precision)
    }

    /// Per chunk: im2col of ∂L/∂output, then one sgemm for the weights and one for the
    /// input, each when asked.
    private func backwardByColumns(_ gradOutput: Tensor, input: Tensor, geometry g: ConvGeometry, data: Bool, weights: Bool) {
        let n = input.shape[0], plane = input.shape[2] * input.shape[3]
        let imageSize = inChannels * plane, outputSize = outChannels * g.height * g.width
        for (start, count) in BatchChunks.ranges(batch: n, rows: g.patchSize, plane: plane) {
            inputChannelMajor.resize(to: [inChannels, count * plane])
            columns.resize(to: [g.patchSize, count * plane])
            Im2Col.unfold(gradOutput.data + start * outputSize, batch: count, geometry: g, into: columns.data)
            if weights {
                if !channelMajorHoldsInput {
                    ChannelLayout.toChannelMajor(input.data + start * imageSize, batch: count, channels: inChannels, plane: plane,
                                                 into: inputChannelMajor.data)
                }
                BLAS.gemm(transB: true, m: inChannels, n: g.patchSize, k: count * plane,
                          a: inputChannelMajor.data, lda: count * plane, b: columns.data, ldb: count * plane,
                          beta: 1, c: weight.grad.data, ldc: g.patchSize, precision: precision)
            }
            guard data else { continue }
            // ∂L/∂input in channel-major layout, then back to images
            BLAS.gemm(m: inChannels, n: count * plane, k: g.patchSize,
                      a: weight.value.data, lda: g.patchSize, b: columns.data, ldb: count * plane,
                      beta: 0, c: inputChannelMajor.data, ldc: count * plane, precision: precision)
            ChannelLayout.toImages(inputChannelMajor.data, batch: count, channels: inChannels, plane: plane,
                                   bias: nil, into: gradInput.data + start * imageSize)
        }
    }
}

extension ConvTranspose2d: LinearInInputAndWeight {}

extension ConvTranspose2d {
    /// `- conv_transpose2d: {out: 16, kernel: 4, stride: 2, padding: 1, output_padding: 0,
    /// bias: true}` on C×H×W inputs.
    public struct Kind: LayerKind, Equatable {
        public var window: WindowArguments
        /// Extra rows and columns on one side of the output (smaller than the stride).
        public var outputPadding = 0

        public init(_ window: WindowArguments, outputPadding: Int = 0) {
            self.window = window
            self.outputPadding = outputPadding
        }

        public static let name = "conv_transpose2d"
        public static let example: String? = "'conv_transpose2d: {out: 16, kernel: 4, stride: 2, padding: 1}'"

        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Kind {
            let f = try arguments!.fields(path, allowed: ["out", "kernel", "stride", "padding", "output_padding", "bias"])
            let window = try WindowArguments(f)
            let outputPadding = try f["output_padding"]?.int(f.path("output_padding"), min: 0) ?? 0
            guard outputPadding < window.stride else {
                throw SpecError(.invalidValue, "'\(f.path("output_padding"))' must be smaller than the stride (\(window.stride)), found \(outputPadding)",
                                at: f["output_padding"]!.location)
            }
            return Kind(window, outputPadding: outputPadding)
        }

        public func parameterCount(input: [Int]) -> Int? { window.parameterCount(channels: input.first ?? 0) }

        public func outputShape(input: [Int]) throws(ShapeError) -> [Int] {
            try require(rank: 3, input, "conv_transpose2d needs C×H×W inputs (add 'unflatten' before it)")
            let w = window
            let sizes = [input[1], input[2]].map { ($0 - 1) * w.stride - 2 * w.padding + w.kernel + outputPadding }
            guard sizes.allSatisfy({ $0 > 0 }) else { throw ShapeError("conv_transpose2d gives no output for an input of \(input[1])×\(input[2])") }
            return [w.out] + sizes
        }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            try require(rank: 3, input, "conv_transpose2d needs C×H×W inputs (add 'unflatten' before it)")
            let w = window
            return ConvTranspose2d(inChannels: input[0], outChannels: w.out, kernelSize: w.kernel, stride: w.stride,
                                   padding: w.padding, outputPadding: outputPadding, bias: w.bias)
        }

        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("ConvTranspose2d", window.arguments(channels: input[0])
                                + [("output_padding", .ints([outputPadding, outputPadding])), ("bias", .bool(window.bias))],
                             text: "ConvTranspose2d(\(window.describe(channels: input[0])), output_padding=\(outputPadding), bias=\(window.bias ? "True" : "False"))")
        }

        /// A Conv2d back to the input's channels.
        public func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] {
            var w = window
            w.out = input[0]
            return [Conv2d.Kind(w)]
        }
    }

    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        scheme.draw(weight: weight, bias: bias, convolution: true, generator: &generator)
    }
}
