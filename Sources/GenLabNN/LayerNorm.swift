/// `torch.nn.LayerNorm(normalized_shape)` over every dimension but the batch: each item
/// standardised over all its values, then scaled and shifted per value (a weight and a bias
/// of the item's shape); the same in training and evaluation. Backward recomputes x̂ from
/// the input and may write over the gradient it is given.
public final class LayerNorm: OwnsItsResults, BackwardInto {
    /// The item shape it normalises.
    public let shape: [Int]
    public let weight: Parameter
    public let bias: Parameter
    public var isTraining = true
    public var typeName: String { "LayerNorm" }
    private var statistics = RowStandardization(eps: 1e-5)
    private let output = Tensor(zeros: [0])
    public let gradientStorage = Tensor(zeros: [0])
    /// The last input (the layer before leaves it untouched until backward).
    private var input: Tensor?
    let secondOrder = SecondOrderState()

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
        output.resize(to: input.shape)
        statistics.measure(input.data, rows: n, width: width)
        let x = input.data, y = output.data, w = weight.value.data, b = bias.value.data
        for item in 0..<n {
            let start = item * width
            VectorMath.forEachChunk(width) { at, count in
                let xhat = statistics.standardized(VectorMath.load(x, start + at, count), row: item)
                VectorMath.store(xhat * VectorMath.load(w, at, count) + VectorMath.load(b, at, count), y, start + at, count)
            }
        }
        self.input = input
        return output
    }

    /// As GroupNorm's, with ∂x̂ = ∂L/∂y ⊙ w per value, into `gradInput` (which may be
    /// `gradOutput`: each value is read before it is written); may run again for the same
    /// forward pass (see `SecondOrderLayer`).
    public func backward(_ gradOutput: Tensor, into gradInput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("LayerNorm: backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        let n = input.shape[0], width = weight.value.count
        gradInput.resize(to: input.shape)
        let x = input.data, g = gradOutput.data, dx = gradInput.data, w = weight.value.data
        let dw = weight.grad.data, db = bias.grad.data
        for item in 0..<n {
            let start = item * width
            var sumDxhat = 0.0, sumDot = 0.0
            VectorMath.forEachChunk(width) { at, count in
                let gl = VectorMath.load(g, start + at, count), xhat = statistics.standardized(VectorMath.load(x, start + at, count), row: item)
                let dxhat = gl * VectorMath.load(w, at, count)
                sumDxhat += Double(dxhat.sum())
                sumDot += Double((dxhat * xhat).sum())
                if accumulateParameterGradients {
                    VectorMath.store(VectorMath.load(dw, at, count) + gl * xhat, dw, at, count)
                    VectorMath.store(VectorMath.load(db, at, count) + gl, db, at, count)
                }
            }
            let a = Float(sumDxhat / Double(width)), d = Float(sumDot / Double(width)), inverse = statistics.inverseStd[item]
            VectorMath.forEachChunk(width) { at, count in
                let xhat = statistics.standardized(VectorMath.load(x, start + at, count), row: item)
                let dxhat = VectorMath.load(g, start + at, count) * VectorMath.load(w, at, count)
                VectorMath.store(inverse * (dxhat - a - xhat * d), dx, start + at, count)
            }
        }
        secondOrder.addPending(to: gradInput)
        return gradInput
    }

    /// Weight 1, bias 0, as PyTorch initialises it (under every scheme).
    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {
        weight.value.fill(1)
        bias.value.fill(0)
    }
}

extension LayerNorm: KeepsItsGradient {
    /// Per item, `RowStandardization.secondOrder` with γ the weight.
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("LayerNorm: backwardOfBackward called before forward") }
        try checkGradient(gradGradInput, matches: output)
        let g = try secondOrder.kept(typeName, shape: input.shape), n = input.shape[0], width = weight.value.count
        let result = secondOrder.result
        result.resize(to: input.shape)
        let u = secondOrder.startPending(shape: input.shape)
        for item in 0..<n {
            let start = item * width
            statistics.secondOrder(row: item, width: width, x: input.data + start, g: g.data + start, v: gradGradInput.data + start,
                                   gamma: weight.value.data, gradGrad: result.data + start, gammaGrad: weight.grad.data,
                                   pending: u.data + start)
        }
        return result
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
