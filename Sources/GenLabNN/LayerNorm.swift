/// `torch.nn.LayerNorm(normalized_shape)` over every dimension but the batch: each item
/// standardised over all its values, then scaled and shifted per value (a weight and a bias
/// of the item's shape); the same in training and evaluation.
public final class LayerNorm: OwnsItsResults {
    /// The item shape it normalises.
    public let shape: [Int]
    public let weight: Parameter
    public let bias: Parameter
    public var isTraining = true
    public var typeName: String { "LayerNorm" }
    private var standardization = RowStandardization(eps: 1e-5)
    private let xhat = Tensor(zeros: [0]), output = Tensor(zeros: [0]), gradXhat = Tensor(zeros: [0]), gradInput = Tensor(zeros: [0])

    public init(shape: [Int]) {
        self.shape = shape
        weight = Parameter(shape: shape)
        weight.value.fill(1)
        bias = Parameter(shape: shape)
    }

    public var parameters: [NamedParameter] { [("weight", weight), ("bias", bias)] }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] {
        guard Array(inputShape.dropFirst()) == shape else {
            throw ShapeError("LayerNorm(\(shape.shapeDescription)) expects (N, \(shape.shapeDescription)) inputs but receives \(inputShape.shapeDescription)")
        }
        return inputShape
    }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        _ = try outputShape(for: input.shape)
        let n = input.shape[0], width = weight.value.count
        xhat.resize(to: input.shape)
        output.resize(to: input.shape)
        standardization.forward(input.data, rows: n, width: width, into: xhat.data)
        let x = xhat.data, y = output.data, w = weight.value.data, b = bias.value.data
        for item in 0..<n {
            let start = item * width
            for i in 0..<width { y[start + i] = x[start + i] * w[i] + b[i] }
        }
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        try checkGradient(gradOutput, matches: output)
        let n = output.shape[0], width = weight.value.count
        gradXhat.resize(to: output.shape)
        gradInput.resize(to: output.shape)
        let g = gradOutput.data, x = xhat.data, dxhat = gradXhat.data, w = weight.value.data
        let dw = weight.grad.data, db = bias.grad.data
        for item in 0..<n {
            let start = item * width
            for i in 0..<width {
                dxhat[start + i] = g[start + i] * w[i]
                if accumulateParameterGradients {
                    dw[i] += g[start + i] * x[start + i]
                    db[i] += g[start + i]
                }
            }
        }
        standardization.backward(dxhat, xhat: x, rows: n, width: width, into: gradInput.data)
        return gradInput
    }

    /// Weight 1, bias 0, as PyTorch initialises it (under every scheme).
    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        weight.value.fill(1)
        bias.value.fill(0)
    }
}

extension LayerNorm {
    /// `- layernorm`: over every dimension of an item.
    public struct Kind: BareLayerKind {
        public init() {}
        public static let name = "layernorm"

        public func parameterCount(input: [Int]) -> Int? { Tensor.checkedElementCount(input).map { 2 * $0 } }

        /// The input's shape (checked when built).
        public func outputShape(input: [Int]) throws(ShapeError) -> [Int] { input }

        public func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer { LayerNorm(shape: input) }

        public func describe(input: [Int]) -> LayerDescription {
            let tuple = input.count == 1 ? "(\(input[0]),)" : "(\(input.map(String.init).joined(separator: ", ")))"
            return LayerDescription("LayerNorm", [("normalized_shape", .ints(input)), ("eps", .double(1e-5)),
                                                  ("elementwise_affine", .bool(true))],
                                    text: "LayerNorm(\(tuple), eps=1e-05, elementwise_affine=True, bias=True)")
        }
    }
}
