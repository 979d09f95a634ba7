/// `torch.nn.Conv2d` with square kernel, stride and padding: weight (out, in, k, k),
/// bias (out). Each chunk of the batch (see `BatchChunks`) is unfolded (im2col) and
/// multiplied by one sgemm; a batch of one chunk keeps its columns for backward, a larger one
/// is unfolded again there.
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
    /// im2col of a chunk (patch × chunk·P); reused for the column gradient in backward.
    private let columns = Tensor(zeros: [0])
    /// A chunk's output or its gradient in channel-major layout (out × chunk·P).
    private let channelMajor = Tensor(zeros: [0])
    private var geometry: ConvGeometry?
    /// The last input (owned by the layer before, unchanged until backward).
    private var input: Tensor?
    /// Whether `columns` still holds the whole batch's im2col from forward.
    private var columnsHoldInput = false

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
        let imageSize = inChannels * g.height * g.width, outputSize = outChannels * plane
        geometry = g
        self.input = input
        output.resize(to: [n, outChannels, g.outputHeight, g.outputWidth])
        for start in BatchChunks.ranges(batch: n, floatsPerImage: g.patchSize * plane) {
            let count = min(BatchChunks.size(batch: n, floatsPerImage: g.patchSize * plane), n - start)
            columns.resize(to: [g.patchSize, count * plane])
            channelMajor.resize(to: [outChannels, count * plane])
            Im2Col.unfold(input.data + start * imageSize, batch: count, geometry: g, into: columns.data)
            BLAS.gemm(m: outChannels, n: count * plane, k: g.patchSize,
                      a: weight.value.data, lda: g.patchSize, b: columns.data, ldb: count * plane,
                      beta: 0, c: channelMajor.data, ldc: count * plane)
            ChannelLayout.toImages(channelMajor.data, batch: count, channels: outChannels, plane: plane,
                                   bias: bias.map { UnsafePointer($0.value.data) }, into: output.data + start * outputSize)
            columnsHoldInput = count == n
        }
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let g = geometry, let input else { throw ShapeError("Conv2d: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        let n = input.shape[0], plane = g.outputPlane
        let imageSize = inChannels * g.height * g.width, outputSize = outChannels * plane
        gradInput.resize(to: input.shape)
        if accumulateParameterGradients, let bias {
            ChannelLayout.accumulateChannelSums(gradOutput.data, batch: n, channels: outChannels, plane: plane, into: bias.grad.data)
        }
        for start in BatchChunks.ranges(batch: n, floatsPerImage: g.patchSize * plane) {
            let count = min(BatchChunks.size(batch: n, floatsPerImage: g.patchSize * plane), n - start)
            columns.resize(to: [g.patchSize, count * plane])
            channelMajor.resize(to: [outChannels, count * plane])
            ChannelLayout.toChannelMajor(gradOutput.data + start * outputSize, batch: count, channels: outChannels, plane: plane,
                                         into: channelMajor.data)
            if accumulateParameterGradients {
                if !columnsHoldInput { Im2Col.unfold(input.data + start * imageSize, batch: count, geometry: g, into: columns.data) }
                BLAS.gemm(transB: true, m: outChannels, n: g.patchSize, k: count * plane,
                          a: channelMajor.data, lda: count * plane, b: columns.data, ldb: count * plane,
                          beta: 1, c: weight.grad.data, ldc: g.patchSize)
            }
            // ∂L/∂columns = Wᵀ · ∂L/∂out, folded back onto the input grid
            BLAS.gemm(transA: true, m: g.patchSize, n: count * plane, k: outChannels,
                      a: weight.value.data, lda: g.patchSize, b: channelMajor.data, ldb: count * plane,
                      beta: 0, c: columns.data, ldc: count * plane)
            Im2Col.fold(columns.data, batch: count, geometry: g, into: gradInput.data + start * imageSize)
        }
        geometry = nil
        self.input = nil
        columnsHoldInput = false
        return gradInput
    }
}
