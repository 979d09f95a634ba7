@_exported import GenLabCore
@_exported import GenLabTensor

/// A trainable tensor and the gradient accumulated for it, both in PyTorch's layout.
public final class Parameter {
    /// The current values.
    public let value: Tensor
    /// The accumulated gradient, same shape as `value`; `zeroGrad()` clears it.
    public let grad: Tensor

    /// A parameter of `shape`, zero-initialised (an initialiser sets the values).
    public init(shape: [Int]) {
        value = Tensor(zeros: shape)
        grad = Tensor(zeros: shape)
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() { grad.fill(0) }

    /// Clamps every value into [low, high] (WGAN weight clipping).
    public func clamp(_ low: Float, _ high: Float) {
        let p = value.data
        for i in 0..<value.count { p[i] = Swift.min(Swift.max(p[i], low), high) }
    }
}

/// A parameter with its PyTorch `state_dict` key relative to the layer that lists it.
public typealias NamedParameter = (name: String, parameter: Parameter)
/// A non-trainable state tensor (running statistics, spectral-norm vectors) with its key.
public typealias NamedBuffer = (name: String, tensor: Tensor)

/// A non-trainable integer state (BatchNorm's `num_batches_tracked`), shared by reference so
/// that a checkpoint can restore it.
public final class Counter {
    public var value = 0
    public init() {}
}
/// A counter with its `state_dict` key.
public typealias NamedCounter = (name: String, counter: Counter)

/// One differentiable step of a network.
///
/// `forward` returns a tensor the layer owns and reuses on the next call, and caches what
/// `backward` needs; `backward` takes ∂L/∂output, accumulates ∂L/∂parameters into each
/// `Parameter.grad` (unless told not to) and returns ∂L/∂input, also layer-owned. Call
/// `backward` at most once per `forward`.
public protocol Layer: AnyObject {
    /// PyTorch's name for the module type ("Conv2d", "ReLU", …), for tables and errors.
    var typeName: String { get }
    /// The output shape for an input shape (batch dimension first), or why it does not fit.
    func outputShape(for inputShape: [Int]) throws(ShapeError) -> [Int]
    /// Computes the output for `input` in the current mode.
    func forward(_ input: Tensor) throws(ShapeError) -> Tensor
    /// Back-propagates `gradOutput` through the last `forward`.
    func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor
    /// Trainable parameters with their `state_dict` keys, in PyTorch's registration order.
    var parameters: [NamedParameter] { get }
    /// Draws the parameters before training, in registration order (a layer without
    /// parameters conforms to `ParameterFreeLayer` instead).
    func reset(_ scheme: Initialization, generator: inout RandomGenerator)
    /// Float buffers with their `state_dict` keys.
    var buffers: [NamedBuffer] { get }
    /// Integer buffers with their `state_dict` keys.
    var counters: [NamedCounter] { get }
    /// Training mode (batch statistics, power iterations) or evaluation mode.
    var isTraining: Bool { get set }
}

extension Layer {
    public var buffers: [NamedBuffer] { [] }
    public var counters: [NamedCounter] { [] }

    /// Back-propagates and accumulates parameter gradients.
    public func backward(_ gradOutput: Tensor) throws(ShapeError) -> Tensor {
        try backward(gradOutput, accumulateParameterGradients: true)
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.parameter.value.count } }

    /// Clears every parameter gradient.
    public func zeroGrad() { for p in parameters { p.parameter.zeroGrad() } }

    /// Checks that `gradOutput` has the shape of the last output.
    func checkGradient(_ gradOutput: Tensor, matches output: Tensor) throws(ShapeError) {
        guard gradOutput.shape == output.shape else {
            throw ShapeError("\(typeName): gradient of shape \(gradOutput.shape.shapeDescription) does not match output \(output.shape.shapeDescription)")
        }
    }
}

/// A layer without parameters (activations, reshapes, pooling): nothing to draw.
public protocol ParameterFreeLayer: Layer {}

extension ParameterFreeLayer {
    public var parameters: [NamedParameter] { [] }
    public func reset(_ scheme: Initialization, generator: inout RandomGenerator) {}
}

/// A layer whose main weight can be wrapped by `SpectralNorm` (Linear, Conv2d).
public protocol WeightedLayer: Layer {
    /// The weight that the layer's forward pass reads.
    var weight: Parameter { get }
    /// The bias, if the layer has one.
    var bias: Parameter? { get }
}
