/// A smooth element-wise function and its derivative: what a `Pointwise` layer applies.
public protocol PointwiseFunction: Sendable {
    /// The `torch.nn` module's name ("ELU").
    var typeName: String { get }
    /// f(x).
    func value(_ x: Float) -> Float
    /// f′(x), given y = f(x).
    func derivative(_ x: Float, _ y: Float) -> Float
}

/// A parameter-free layer applying a `PointwiseFunction` to every element (ELU, GELU, SiLU,
/// Softplus); backward reads the input kept from forward.
public final class Pointwise: ParameterFreeLayer {
    public let function: any PointwiseFunction
    public var isTraining = true
    private let output = Tensor(zeros: [0]), gradInput = Tensor(zeros: [0])
    /// The last input (the layer before does not touch it until its next forward).
    private var input: Tensor?

    public init(_ function: any PointwiseFunction) { self.function = function }

    public var typeName: String { function.typeName }

    public func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

    public func forward(_ input: Tensor) throws(ShapeError) -> Tensor {
        output.resize(to: input.shape)
        let x = input.data, y = output.data
        for i in 0..<input.count { y[i] = function.value(x[i]) }
        self.input = input
        return output
    }

    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        guard let input else { throw ShapeError("\(typeName): backward called before forward") }
        try checkGradient(gradOutput, matches: output)
        gradInput.resize(to: input.shape)
        let x = input.data, y = output.data, g = gradOutput.data, dx = gradInput.data
        for i in 0..<input.count { dx[i] = g[i] * function.derivative(x[i], y[i]) }
        self.input = nil
        return gradInput
    }
}
