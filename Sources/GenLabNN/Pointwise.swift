/// A smooth element-wise function and its derivative over arrays: what a `Pointwise` layer
/// applies.
public protocol PointwiseFunction: Sendable {
    /// The `torch.nn` module's name ("ELU").
    var typeName: String { get }
    /// y = f(x) for `count` values.
    func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)
    /// dx = g·f′(x) for `count` values; `dx` may be `g`.
    func backward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int)
    /// d = f″(x) for `count` values (a gradient penalty's second pass).
    func secondDerivative(_ x: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, count: Int)
}

/// A parameter-free layer applying a `PointwiseFunction` to every element (ELU, GELU, SiLU,
/// Softplus). Backward reads the input (the layer before leaves it untouched until then) and
/// may write over the gradient it is given.
public final class Pointwise<Function: PointwiseFunction>: ParameterFreeLayer, OwnsItsResults, BackwardInto, PointwiseActivation {
    public let function: Function
    public var pointwiseFunction: any PointwiseFunction { function }
    public var isTraining = true
    private let output = Tensor(zeros: [0])
    public let gradientStorage = Tensor(zeros: [0])
    /// The last input.
    private var input: Tensor?
    let secondOrder = SecondOrderState()

    public init(_ function: Function) { self.function = function }

    public var typeName: String { function.typeName }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        output.resize(to: input.shape)
        function.forward(input.data, output.data, count: input.count)
        self.input = input
        return output
    }

    /// ∂L/∂input = ∂L/∂output · f′(input) into `gradInput`, which may be `gradOutput`; may
    /// run again for the same forward pass (see `SecondOrderLayer`).
    public func backward(_ gradOutput: Tensor, into gradInput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("\(typeName): backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: input.shape)
        function.backward(input.data, gradOutput.data, gradInput.data, count: input.count)
        secondOrder.addPending(to: gradInput)
        return gradInput
    }
}

extension Pointwise: KeepsItsGradient {
    /// ∂L/∂x = g·f′(x): ∂P/∂g = v·f′(x), and ∂P/∂x = g·v·f″(x) is left for the next backward.
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("\(typeName): backwardOfBackward called before forward") }
        try checkGradient(gradGradInput, matches: output)
        let g = try secondOrder.kept(typeName, shape: input.shape), count = input.count
        let result = secondOrder.result
        result.resize(to: input.shape)
        function.backward(input.data, gradGradInput.data, result.data, count: count)
        let u = secondOrder.startPending(shape: input.shape)
        function.secondDerivative(input.data, u.data, count: count)
        let v = gradGradInput.data, gs = g.data, us = u.data
        for i in 0..<count { us[i] *= gs[i] * v[i] }
        return result
    }

}
