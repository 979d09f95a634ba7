/// A layer that applies the smooth element-wise activation after it (SiLU, GELU, ELU,
/// Softplus: a `PointwiseActivation`) as it writes its output, and the activation's backward
/// in its own, from its output before the activation, which it recomputes from its input: a
/// `Sequential` asks it to, and the activation layer does not run. The pair keeps the
/// layer's input and the activation's output; PyTorch keeps the layer's output as well.
/// Where a second-order pass needs the activation's own caches, `separate` gives them to it.
public protocol ActivatesItsOutput: BackwardInto {
    /// The output for `input` with `activation` applied (as `forward(_:)` when nil).
    func forward(_ input: Tensor, activation: (any PointwiseFunction)?) throws(ShapeError) -> Tensor
    /// ∂L/∂input from ∂L/∂(the activation's output), through the activation and the layer,
    /// into `gradInput` (which may be `gradOutput`).
    func backward(_ gradOutput: Tensor, activation: (any PointwiseFunction)?, into gradInput: Tensor,
                  accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor
    /// Runs `activation`'s forward on the layer's output before it, recomputed, so that from
    /// here to the next forward the two run apart (each keeps what its passes need).
    func separate(from activation: Layer) throws(ShapeError)
}

/// A layer that applies a `PointwiseFunction` (`Pointwise`).
public protocol PointwiseActivation: Layer {
    /// The function applied.
    var pointwiseFunction: any PointwiseFunction { get }
}
