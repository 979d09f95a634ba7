/// A layer that applies the smooth element-wise activations next to it (SiLU, GELU, ELU,
/// Softplus: a `PointwiseActivation`) itself: the one before it to its input as it reads it,
/// the one after it to its output as it writes it, and their backward passes within its own,
/// from the values it recomputes (its input through the activation before, its output
/// before the activation after). A `Sequential` asks it to, and the activation layers do not
/// run. Where PyTorch keeps the activation's output and the layer's output for their
/// backward passes, the group keeps the layer's input and the last output only. Where a
/// second-order pass needs the activations' own caches, `separate` gives them to them.
public protocol AppliesActivations: BackwardInto {
    /// The output for `input`, with `before` applied to the input and `after` to the output
    /// (as `forward(_:)` when both are nil).
    func forward(_ input: Tensor, before: (any PointwiseFunction)?, after: (any PointwiseFunction)?) throws(ShapeError) -> Tensor
    /// ∂L/∂input from ∂L/∂output through the activations and the layer, into `gradInput`
    /// (which may be `gradOutput`).
    func backward(_ gradOutput: Tensor, before: (any PointwiseFunction)?, after: (any PointwiseFunction)?, into gradInput: Tensor,
                  accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor
    /// Runs the activations' forward passes on what the layer computed them from, so that
    /// from here to the next forward the three run apart (each keeps what its passes need).
    func separate(before: Layer?, after: Layer?) throws(ShapeError)
}

/// A layer that applies a `PointwiseFunction` (`Pointwise`).
public protocol PointwiseActivation: Layer {
    /// The function applied.
    var pointwiseFunction: any PointwiseFunction { get }
}
