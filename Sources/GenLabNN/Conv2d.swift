/// `torch.nn.Conv2d` with square kernel, stride and padding: weight (out, in, k, k),
/// bias (out). Winograd's algorithm runs it where it saves multiply-adds (3×3 and 5×5, stride 1:
/// `WinogradConvolution`), else oneDNN's direct kernel where it has one (`DirectConvolution`);
/// otherwise each chunk of the batch (see `BatchChunks`) is unfolded (im2col) and multiplied
/// by one sgemm, and a batch of one chunk keeps its columns for backward, a larger one is
/// unfolded again there.
public final class Conv2d: WeightedLayer, RectifiesItsOutput, MultipliesMatrices {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    public let bias: Parameter?
    public var isTraining = true
    /// What its matrix products multiply (fp32 unless the model is trained in bf16).
    public var precision = Precision.fp32
    public var typeName: String { "Conv2d" }

    private let output = Tensor(zeros: [0])
    private let gradInput = Tensor(zeros: [0])
    /// im2col of a chunk (patch × chunk·P); reused for the column gradient in backward. The
    /// workspaces are released after each pass (see `Tensor.release()`) unless they hold the
    /// input for backward.
    private let columns = Tensor(zeros: [0])
    /// A chunk's output or its gradient in channel-major layout (out × chunk·P).
    private let channelMajor = Tensor(zeros: [0])
    private var geometry: ConvGeometry?
    /// The last input (owned by the layer before, unchanged until backward).
    private var input: Tensor?
    /// Whether `columns` still holds the whole batch's im2col from forward.
    private var columnsHoldInput = false
    /// oneDNN's direct kernels for the last input shape.
    private var direct = DirectConvolutions()
    /// Winograd's algorithm, for the passes it runs.
    private let winograd = WinogradConvolution()
    /// Whether the last forward pass ran by Winograd's algorithm.
    private var forwardByWinograd = false
    let secondOrder = SecondOrderState()
    /// The same layer sharing this one's weight, without bias (see `LinearInInputAndWeight`).
    lazy var twin = Conv2d(sharingWeightOf: self)
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

    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        weight = Parameter(shape: [outChannels, inChannels, kernelSize, kernelSize])
        self.bias = bias ? Parameter(shape: [outChannels]) : nil
    }

    /// `other`'s shape and weight (the same `Parameter`), without bias.
    private init(sharingWeightOf other: Conv2d) {
        (inChannels, outChannels, kernelSize) = (other.inChannels, other.outChannels, other.kernelSize)
        (stride, padding, weight, bias) = (other.stride, other.padding, other.weight, nil)
        usesDirectKernels = other.usesDirectKernels
        usesWinograd = other.usesWinograd
        precision = other.precision
    }

    public var parameters: [NamedParameter] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    func geometry(for inputShape: [Int]) throws(ShapeError) -> ConvGeometry {
        guard inputShape.count == 4, inputShape[1] == inChannels else {
            throw ShapeError("Conv2d(\(inChannels)→\(outChannels)) expects images of \(inChannels) channels but receives \(inputShape.dropFirst().map { $0 }.shapeDescription)")
        }
        let g = ConvGeometry(channels: inChannels, height: inputShape[2], width: inputShape[3],
                             kernel: kernelSize, stride: stride, padding: padding)
        guard g.isValid else {
            throw ShapeError("Conv2d kernel \(kernelSize) (stride \(stride), padding \(padding)) does not fit an input of \(inputShape[2])×\(inputShape[3])")
        }
        return g
    }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        let g = try geometry(for: inputShape)
        return [inputShape[0], outChannels, g.outputHeight, g.outputWidth]
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        try forward(input, rectifier: nil)
    }

    /// The output rectified in the last pass that writes it: oneDNN's kernel without a bias,
    /// else the pass adding the bias, or the one back from the columns.
    public func forward(_ input: Tensor, rectifier: Rectifier?) throws(ShapeError) -> Tensor {
        let g = try geometry(for: input.shape)
        let n = input.shape[0]
        geometry = g
        self.input = input
        output.resize(to: [n, outChannels, g.outputHeight, g.outputWidth])
        let convolution = direct.convolution(for: DirectConvolution.Shape(
            transposed: false, batch: n, inChannels: inChannels, outChannels: outChannels,
            height: g.height, width: g.width, outHeight: g.outputHeight, outWidth: g.outputWidth,
            kernel: kernelSize, stride: stride, padding: padding, rectifier: bias == nil ? rectifier : nil,
            precision: precision))
        columnsHoldInput = false
        let pass = WinogradConvolution.Pass(
            inChannels: inChannels, height: g.height, width: g.width, padding: padding, outChannels: outChannels,
            kernel: kernelSize, transposedWeight: false, flipped: false, directMultiplies: kernelSize * kernelSize * g.outputPlane)
        forwardByWinograd = runsByWinograd(pass)
        if forwardByWinograd {
            winograd.correlate(pass, input.data, batch: n, weight: weight.value.data, into: output.data)
            ChannelLayout.finish(output.data, batch: n, channels: outChannels, plane: g.outputPlane,
                                 bias: bias.map { UnsafePointer($0.value.data) }, rectifier: rectifier)
            return output
        }
        guard let convolution, convolution.runsForward else {
            forwardByColumns(input, geometry: g, rectifier: rectifier)
            channelMajor.release()
            if !columnsHoldInput { columns.release() }
            return output
        }
        convolution.forward(input.data, weight: weight.value.data, into: output.data)
        if let bias {
            ChannelLayout.finish(output.data, batch: n, channels: outChannels, plane: g.outputPlane,
                                 bias: bias.value.data, rectifier: rectifier)
        }
        return output
    }

    /// Per chunk of the batch (see `BatchChunks`): im2col, one sgemm, back to images with the
    /// bias and the rectifier.
    private func forwardByColumns(_ input: Tensor, geometry g: ConvGeometry, rectifier: Rectifier?) {
        let n = input.shape[0], plane = g.outputPlane
        let imageSize = inChannels * g.height * g.width, outputSize = outChannels * plane
        for (start, count) in BatchChunks.ranges(batch: n, rows: g.patchSize, plane: plane) {
            columns.resize(to: [g.patchSize, count * plane])
            channelMajor.resize(to: [outChannels, count * plane])
            Im2Col.unfold(input.data + start * imageSize, batch: count, geometry: g, into: columns.data)
            BLAS.gemm(m: outChannels, n: count * plane, k: g.patchSize,
                      a: weight.value.data, lda: g.patchSize, b: columns.data, ldb: count * plane,
                      beta: 0, c: channelMajor.data, ldc: count * plane, precision: precision)
            ChannelLayout.toImages(channelMajor.data, batch: count, channels: outChannels, plane: plane,
                                   bias: bias.map { UnsafePointer($0.value.data) }, rectifier: rectifier,
                                   into: output.data + start * outputSize)
            columnsHoldInput = count == n
        }
    }

    /// May run again for the same forward pass (see `SecondOrderLayer`).
    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let g = geometry, let input else { throw ShapeError("Conv2d: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: input.shape)
        // ∂L/∂input: the transposed convolution of ∂L/∂output, a correlation with the rotated kernels
        let pass = WinogradConvolution.Pass(
            inChannels: outChannels, height: g.outputHeight, width: g.outputWidth, padding: kernelSize - 1 - padding,
            outChannels: inChannels, kernel: kernelSize, transposedWeight: true, flipped: true, directMultiplies: kernelSize * kernelSize * g.outputPlane)
        convolutionBackward(gradOutput, input: input, gradInput: gradInput, weight: weight, bias: bias,
                            winograd: runsByWinograd(pass) ? (winograd, pass) : nil, direct: direct.current,
                            accumulateParameterGradients: accumulateParameterGradients) { data, weights in
            backwardByColumns(gradOutput, input: input, geometry: g, data: data, weights: weights)
            columns.release()
            channelMajor.release()
        }
        columnsHoldInput = false
        return gradInput
    }

    private func runsByWinograd(_ pass: WinogradConvolution.Pass) -> Bool {
        isTraining && usesDirectKernels && usesWinograd && WinogradConvolution.runs(pass, stride: stride, precision: precision)
    }

    /// Per chunk: the weight gradient from the columns (unfolded again when the batch took
    /// more than one chunk, or forward ran on oneDNN), then ∂L/∂columns folded back onto
    /// the input grid; each when asked.
    private func backwardByColumns(_ gradOutput: Tensor, input: Tensor, geometry g: ConvGeometry, data: Bool, weights: Bool) {
        let n = input.shape[0], plane = g.outputPlane
        let imageSize = inChannels * g.height * g.width, outputSize = outChannels * plane
        for (start, count) in BatchChunks.ranges(batch: n, rows: g.patchSize, plane: plane) {
            columns.resize(to: [g.patchSize, count * plane])
            channelMajor.resize(to: [outChannels, count * plane])
            ChannelLayout.toChannelMajor(gradOutput.data + start * outputSize, batch: count, channels: outChannels, plane: plane,
                                         into: channelMajor.data)
            if weights {
                if !columnsHoldInput { Im2Col.unfold(input.data + start * imageSize, batch: count, geometry: g, into: columns.data) }
                BLAS.gemm(transB: true, m: outChannels, n: g.patchSize, k: count * plane,
                          a: channelMajor.data, lda: count * plane, b: columns.data, ldb: count * plane,
                          beta: 1, c: weight.grad.data, ldc: g.patchSize, precision: precision)
            }
            guard data else { continue }
            // ∂L/∂columns = Wᵀ · ∂L/∂out, folded back onto the input grid
            BLAS.gemm(transA: true, m: g.patchSize, n: count * plane, k: outChannels,
                      a: weight.value.data, lda: g.patchSize, b: channelMajor.data, ldb: count * plane,
                      beta: 0, c: columns.data, ldc: count * plane, precision: precision)
            Im2Col.fold(columns.data, batch: count, geometry: g, into: gradInput.data + start * imageSize)
        }
    }
}

/// The arguments convolutions share: `out`, `kernel`, `stride` (1), `padding` (0) and
/// `bias` (true), each bounded.
public struct WindowArguments: Equatable, Sendable {
    public var out: Int
    public var kernel: Int
    public var stride = 1
    public var padding = 0
    public var bias = true

    public init(out: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        (self.out, self.kernel, self.stride, self.padding, self.bias) = (out, kernel, stride, padding, bias)
    }

    init(_ f: Fields) throws(SpecError) {
        self.init(out: try f.required("out").int(f.path("out"), min: 1, max: maxLayerSize),
                  kernel: try f.required("kernel").int(f.path("kernel"), min: 1, max: maxLayerWindow),
                  stride: try f["stride"]?.int(f.path("stride"), min: 1, max: maxLayerWindow) ?? 1,
                  padding: try f["padding"]?.int(f.path("padding"), min: 0, max: maxLayerWindow) ?? 0,
                  bias: try f["bias"]?.bool(f.path("bias")) ?? true)
    }

    /// (in or out channels, out, k, k) weights plus the bias.
    func parameterCount(channels: Int) -> Int? {
        Tensor.checkedElementCount([channels, out, kernel, kernel]).map { $0 + (bias ? out : 0) }
    }

    /// "1, 16, kernel_size=4, stride=2, padding=1", PyTorch's words after the type.
    func describe(channels: Int) -> String {
        "\(channels), \(out), kernel_size=\(kernel), stride=\(stride), padding=\(padding)"
    }

    /// The constructor's arguments from `in_channels` to `padding`, pairs as PyTorch keeps them.
    func arguments(channels: Int) -> [(String, JSONValue)] {
        [("in_channels", .int(channels)), ("out_channels", .int(out)), ("kernel_size", .ints([kernel, kernel])),
         ("stride", .ints([stride, stride])), ("padding", .ints([padding, padding]))]
    }
}

extension Conv2d: LinearInInputAndWeight {}

extension Conv2d {
    /// `- conv2d: {out: 16, kernel: 4, stride: 2, padding: 1, bias: true, spectral_norm: false}`
    /// on C×H×W inputs.
    public struct Kind: LayerKind, Equatable {
        public var window: WindowArguments
        /// Wrapped in `spectral_norm`.
        public var spectralNorm = false

        public init(_ window: WindowArguments, spectralNorm: Bool = false) {
            self.window = window
            self.spectralNorm = spectralNorm
        }

        public static let name = "conv2d"
        public static let example: String? = "'conv2d: {out: 16, kernel: 4, stride: 2, padding: 1}'"

        public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Kind {
            let f = try arguments!.fields(path, allowed: ["out", "kernel", "stride", "padding", "bias", "spectral_norm"])
            return Kind(try WindowArguments(f), spectralNorm: try f["spectral_norm"]?.bool(f.path("spectral_norm")) ?? false)
        }

        public func parameterCount(input: [Int]) -> Int? { window.parameterCount(channels: input.first ?? 0) }

        public func outputShape(input: [Int]) throws(ShapeError) -> [Int] {
            try require(rank: 3, input, "conv2d needs C×H×W inputs (add 'unflatten' before it)")
            let w = window
            let g = ConvGeometry(channels: input[0], height: input[1], width: input[2], kernel: w.kernel, stride: w.stride, padding: w.padding)
            guard g.isValid else { throw ShapeError("conv2d kernel \(w.kernel) (stride \(w.stride), padding \(w.padding)) does not fit an input of \(input[1])×\(input[2])") }
            return [w.out, g.outputHeight, g.outputWidth]
        }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            try require(rank: 3, input, "conv2d needs C×H×W inputs (add 'unflatten' before it)")
            let w = window
            let conv = Conv2d(inChannels: input[0], outChannels: w.out, kernelSize: w.kernel, stride: w.stride,
                              padding: w.padding, bias: w.bias)
            return spectralNorm ? SpectralNorm(conv, generator: &generator) : conv
        }

        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("Conv2d", window.arguments(channels: input[0]) + [("bias", .bool(window.bias))], spectralNorm: spectralNorm,
                             text: "Conv2d(\(window.describe(channels: input[0])), bias=\(window.bias ? "True" : "False"))")
        }

        /// A ConvTranspose2d with the output padding that restores the input's size.
        public func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] {
            let w = window
            let paddings = [1, 2].map { input[$0] - ((output[$0] - 1) * w.stride - 2 * w.padding + w.kernel) }
            guard paddings[0] == paddings[1], (0..<w.stride).contains(paddings[0]) else {
                throw ShapeError("conv2d from \(input.shapeDescription) to \(output.shapeDescription)")
            }
            return [ConvTranspose2d.Kind(WindowArguments(out: input[0], kernel: w.kernel, stride: w.stride, padding: w.padding,
                                                         bias: w.bias), outputPadding: paddings[0])]
        }
    }

    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        scheme.draw(weight: weight, bias: bias, convolution: true, generator: &generator)
    }
}
