/// `torch.nn.MaxPool2d(kernel_size, stride, padding)`: the largest value of each window
/// (padding never wins); backward sends each output's gradient to the first largest input.
public final class MaxPool2d: ParameterFreeLayer, OwnsItsResults {
    public let window: PoolWindow
    public var isTraining = true
    public var typeName: String { "MaxPool2d" }
    private let output = Tensor(zeros: [0]), gradInput = Tensor(zeros: [0])
    /// For each output value, the index in its input plane of the value it took.
    private var argmax: [Int32] = []
    private var inputShape: [Int]?
    let secondOrder = SecondOrderState()

    public init(_ window: PoolWindow) { self.window = window }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        [inputShape.first ?? 0] + (try window.outputShape(typeName, input: Array(inputShape.dropFirst())))
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        let shape = try outputShape(for: input.shape)
        output.resize(to: shape)
        output.fill(-.infinity)
        argmax = Array(repeating: -1, count: output.count)
        let (height, width) = (input.shape[2], input.shape[3]), (outHeight, outWidth) = (shape[2], shape[3])
        let plane = height * width, outPlane = outHeight * outWidth
        for p in 0..<(shape[0] * shape[1]) {
            let x = input.data + p * plane, y = output.data + p * outPlane, base = p * outPlane
            window.forEachWindow(height: height, width: width, outHeight: outHeight, outWidth: outWidth) { o, i in
                // the first largest, as PyTorch keeps it; NaN wins, as in PyTorch
                if x[i] > y[o] || x[i].isNaN || argmax[base + o] < 0 {
                    y[o] = x[i]
                    argmax[base + o] = Int32(i)
                }
            }
        }
        inputShape = input.shape
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let inputShape else { throw ShapeError("MaxPool2d: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: inputShape)
        gradInput.fill(0)
        let plane = inputShape[2] * inputShape[3], outPlane = output.shape[2] * output.shape[3]
        for o in 0..<output.count {
            gradInput[(o / outPlane) * plane + Int(argmax[o])] += gradOutput[o]
        }
        return gradInput
    }
}

extension MaxPool2d: SecondOrderLayer {
    /// ∂L/∂x routes g to each window's largest input: ∂P/∂g takes v from there.
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        guard let inputShape, gradGradInput.shape == inputShape else {
            throw ShapeError("MaxPool2d: backwardOfBackward needs a gradient of its last input's shape")
        }
        let result = secondOrder.result
        result.resize(to: output.shape)
        let plane = inputShape[2] * inputShape[3], outPlane = output.shape[2] * output.shape[3]
        for o in 0..<output.count { result[o] = gradGradInput[(o / outPlane) * plane + Int(argmax[o])] }
        return result
    }
}

extension MaxPool2d: PoolingLayer {
    public static let kindName = "maxpool2d"
    public static let textAfterWindow = ", dilation=1, ceil_mode=False"

    /// `- maxpool2d: {kernel: 2, stride: 2, padding: 0}` (stride: the kernel by default).
    public typealias Kind = PoolKind<MaxPool2d>
}
