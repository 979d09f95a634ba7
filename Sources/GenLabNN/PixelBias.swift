import CKernels

/// A learnable bias per pixel and channel, y = x + b with b of shape (C, H, W): the
/// CIS-522 ConvVAE's `BiasLayer`, first in its encoder and last in its decoder.
public final class PixelBias: Layer {
    public let bias: Parameter
    public var isTraining = true
    public var typeName: String { "BiasLayer" }
    private let output = Tensor(zeros: [0])
    private let gradInput = Tensor(zeros: [0])
    let secondOrder = SecondOrderState()

    /// A zero bias of `itemShape` (C, H, W).
    public init(itemShape: [Int]) { bias = Parameter(shape: itemShape) }

    public var parameters: [NamedParameter] { [("bias", bias)] }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        guard Array(inputShape.dropFirst()) == bias.value.shape else {
            throw ShapeError("BiasLayer of shape \(bias.value.shape.shapeDescription) receives items of \(inputShape.dropFirst().map { $0 }.shapeDescription)")
        }
        return inputShape
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        output.resize(to: try outputShape(for: input.shape))
        let item = bias.value.count, b = bias.value.data
        for n in 0..<input.shape[0] {
            let x = input.data + n * item, y = output.data + n * item
            for i in 0..<item { y[i] = x[i] + b[i] }
        }
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        try checkGradient(gradOutput, matches: output)
        if accumulateParameterGradients {
            genlab_accumulate_column_sums(gradOutput.data, gradOutput.shape[0], bias.value.count, bias.grad.data)
        }
        gradInput.copy(from: gradOutput)
        return gradInput
    }
}

extension PixelBias: SecondOrderLayer {
    /// ∂L/∂x = g: ∂P/∂g = v.
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        try checkGradient(gradGradInput, matches: output)
        secondOrder.result.resize(to: output.shape)
        secondOrder.result.copy(from: gradGradInput)
        return secondOrder.result
    }
}

extension PixelBias {
    /// `- bias`: a learnable bias of the input's item shape.
    public struct Kind: BareLayerKind {
        public init() {}
        public static let name = "bias"
        public func parameterCount(input: [Int]) -> Int? { Tensor.checkedElementCount(input) }
        /// The input's shape (checked when built).
        public func outputShape(input: [Int]) throws(ShapeError) -> [Int] { input }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { PixelBias(itemShape: input) }
        public func describe(input: [Int]) -> LayerDescription {
            LayerDescription("BiasLayer", [("shape", .ints(input))], text: "BiasLayer(\(input.shapeDescription))")
        }
    }

    /// Zero, as CIS-522's `BiasLayer` starts.
    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) { bias.value.fill(0) }
}
