/// `torch.nn.Conv2d` with square kernel, stride and padding: weight (out, in, k, k),
/// bias (out). The batch is unfolded once (im2col) and multiplied by one sgemm.
public final class Conv2d: WeightedLayer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    public let bias: Parameter?
    public var isTraining = true
    public var typeName: String { "Conv2d" }

    private let output = Tensor(zeros: [0])
    private let gradInput = Tensor(zeros: [0])
    /// im2col of the last input (patch × N·P); reused for the column gradient in backward.
    private let columns = Tensor(zeros: [0])
    /// The output or its gradient in channel-major layout (out × N·P).
    private let channelMajor = Tensor(zeros: [0])
    private var geometry: ConvGeometry?
    private var inputShape: [Int] = []

    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        weight = Parameter(shape: [outChannels, inChannels, kernelSize, kernelSize])
        self.bias = bias ? Parameter(shape: [outChannels]) : nil
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
        let g = try geometry(for: input.shape)
        let n = input.shape[0], plane = g.outputPlane
        geometry = g
        inputShape = input.shape
        columns.resize(to: [g.patchSize, n * plane])
        channelMajor.resize(to: [outChannels, n * plane])
        output.resize(to: [n, outChannels, g.outputHeight, g.outputWidth])
        Im2Col.unfold(input.data, batch: n, geometry: g, into: columns.data)
        BLAS.gemm(m: outChannels, n: n * plane, k: g.patchSize,
                  a: weight.value.data, lda: g.patchSize, b: columns.data, ldb: n * plane,
                  beta: 0, c: channelMajor.data, ldc: n * plane)
        ChannelLayout.toImages(channelMajor.data, batch: n, channels: outChannels, plane: plane,
                               bias: bias.map { UnsafePointer($0.value.data) }, into: output.data)
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let g = geometry else { throw ShapeError("Conv2d: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        let n = inputShape[0], plane = g.outputPlane
        ChannelLayout.toChannelMajor(gradOutput.data, batch: n, channels: outChannels, plane: plane,
                                     into: channelMajor.data)
        if accumulateParameterGradients {
            BLAS.gemm(transB: true, m: outChannels, n: g.patchSize, k: n * plane,
                      a: channelMajor.data, lda: n * plane, b: columns.data, ldb: n * plane,
                      beta: 1, c: weight.grad.data, ldc: g.patchSize)
            if let bias {
                ChannelLayout.accumulateChannelSums(gradOutput.data, batch: n, channels: outChannels,
                                                    plane: plane, into: bias.grad.data)
            }
        }
        // The columns are no longer needed: reuse them for ∂L/∂columns = Wᵀ · ∂L/∂out.
        BLAS.gemm(transA: true, m: g.patchSize, n: n * plane, k: outChannels,
                  a: weight.value.data, lda: g.patchSize, b: channelMajor.data, ldb: n * plane,
                  beta: 0, c: columns.data, ldc: n * plane)
        gradInput.resize(to: inputShape)
        Im2Col.fold(columns.data, batch: n, geometry: g, into: gradInput.data)
        geometry = nil
        return gradInput
    }
}
