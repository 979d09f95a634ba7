/// `torch.nn.AvgPool2d(kernel_size, stride, padding)`: the mean of each window, padding
/// counted as zeros (count_include_pad, PyTorch's default).
public final class AvgPool2d: ParameterFreeLayer, OwnsItsResults {
    public let window: PoolWindow
    public var isTraining = true
    public var typeName: String { "AvgPool2d" }
    private let output = Tensor(zeros: [0]), gradInput = Tensor(zeros: [0])
    private var inputShape: [Int]?
    lazy var twin = AvgPool2d(window)

    public init(_ window: PoolWindow) { self.window = window }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        [inputShape.first ?? 0] + (try window.outputShape(typeName, input: Array(inputShape.dropFirst())))
    }

    /// 1 / (kernel²): every window of a pooling without ceil mode lies within the padded input.
    private var scale: Float { 1 / Float(window.kernel * window.kernel) }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        let shape = try outputShape(for: input.shape)
        output.resize(to: shape)
        let (height, width) = (input.shape[2], input.shape[3]), (outHeight, outWidth) = (shape[2], shape[3])
        let plane = height * width, outPlane = outHeight * outWidth, k = window.kernel, scale = scale
        if window.tiles {
            // windows side by side: each input row adds into one output row, from 0 at a
            // window's first row, scaled at its last
            for p in 0..<(shape[0] * shape[1]) {
                let x = input.data + p * plane, y = output.data + p * outPlane
                for h in 0..<(outHeight * k) {
                    let row = x + h * width, out = y + (h / k) * outWidth, first = h % k == 0, last = h % k == k - 1
                    for ow in 0..<outWidth {
                        var sum: Float = 0
                        for j in 0..<k { sum += row[ow * k + j] }
                        let total = (first ? 0 : out[ow]) + sum
                        out[ow] = last ? total * scale : total
                    }
                }
            }
        } else {
            output.fill(0)
            for p in 0..<(shape[0] * shape[1]) {
                let x = input.data + p * plane, y = output.data + p * outPlane
                window.forEachWindow(height: height, width: width, outHeight: outHeight, outWidth: outWidth) { o, i in y[o] += x[i] }
            }
            for o in 0..<output.count { output[o] *= scale }
        }
        inputShape = input.shape
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let inputShape else { throw ShapeError("AvgPool2d: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: inputShape)
        let (height, width) = (inputShape[2], inputShape[3]), (outHeight, outWidth) = (output.shape[2], output.shape[3])
        let plane = height * width, outPlane = outHeight * outWidth, scale = scale
        let k = window.kernel
        // tiles covering the whole input write every value; elsewhere values start at 0
        if !window.tiles || outHeight * k != height || outWidth * k != width { gradInput.fill(0) }
        for p in 0..<(output.shape[0] * output.shape[1]) {
            let g = gradOutput.data + p * outPlane, dx = gradInput.data + p * plane
            if window.tiles {
                for h in 0..<(outHeight * k) {
                    let row = dx + h * width, gradients = g + (h / k) * outWidth
                    for ow in 0..<outWidth {
                        let value = gradients[ow] * scale
                        for j in 0..<k { row[ow * k + j] = value }
                    }
                }
            } else {
                window.forEachWindow(height: height, width: width, outHeight: outHeight, outWidth: outWidth) { o, i in dx[i] += g[o] * scale }
            }
        }
        return gradInput
    }
}

extension AvgPool2d: LinearInInput {}

extension AvgPool2d: PoolingLayer {
    public static let kindName = "avgpool2d"
    public static let textAfterWindow = ""

    /// `- avgpool2d: {kernel: 2, stride: 2, padding: 0}` (stride: the kernel by default).
    public typealias Kind = PoolKind<AvgPool2d>
}
