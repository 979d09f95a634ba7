/// `torch.nn.AdaptiveAvgPool2d(1)`: the mean of each channel, (N, C, H, W) → (N, C, 1, 1).
public final class AdaptiveAvgPool2d: ParameterFreeLayer {
    public var isTraining = true
    public var typeName: String { "AdaptiveAvgPool2d" }
    private let output = Tensor(zeros: [0])
    private let gradInput = Tensor(zeros: [0])
    private var inputShape: [Int]?
    lazy var twin = AdaptiveAvgPool2d()

    public init() {}

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        guard inputShape.count == 4 else {
            throw ShapeError("AdaptiveAvgPool2d expects (N, C, H, W) inputs but receives \(inputShape.shapeDescription)")
        }
        return [inputShape[0], inputShape[1], 1, 1]
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        output.resize(to: try outputShape(for: input.shape))
        let plane = input.shape[2] * input.shape[3]
        for row in 0..<output.count {
            let p = input.data + row * plane
            var sum: Float = 0
            for q in 0..<plane { sum += p[q] }
            output[row] = sum / Float(plane)
        }
        inputShape = input.shape
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let inputShape else { throw ShapeError("AdaptiveAvgPool2d: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: inputShape)
        let plane = inputShape[2] * inputShape[3]
        for row in 0..<gradOutput.count {
            (gradInput.data + row * plane).update(repeating: gradOutput[row] / Float(plane), count: plane)
        }
        return gradInput
    }
}

extension AdaptiveAvgPool2d: LinearInInput {}

extension AdaptiveAvgPool2d {
    /// `- avgpool`: AdaptiveAvgPool2d(1) on C×H×W inputs.
    public struct Kind: BareLayerKind {
        public init() {}
        public static let name = "avgpool"

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer {
            try require(rank: 3, input, "avgpool needs C×H×W inputs")
            return AdaptiveAvgPool2d()
        }

        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("AdaptiveAvgPool2d", [("output_size", .int(1))], text: "AdaptiveAvgPool2d(1)")
        }

        /// A mean cannot be undone.
        public func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] {
            throw ShapeError("avgpool: a mean cannot be undone")
        }
    }
}
