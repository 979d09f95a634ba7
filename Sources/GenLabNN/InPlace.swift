/// A layer whose output and input gradient are storage it owns (when it does not run in
/// place), which it does not read again once it has returned them: its backward reads its
/// input, never its output, and its input gradient is rewritten only by its next backward. In
/// a `Sequential`, the layer after it may therefore compute over its output, and the layer
/// before it over its gradient.
public protocol OwnsItsResults: Layer {}

/// An element-wise layer that can write its output over its input, as PyTorch's
/// `inplace=True` does: a `Sequential` runs it so after a layer that `OwnsItsResults`, and
/// the output of that layer's size is not kept twice.
public protocol InPlaceForward: Layer {
    /// Whether `forward(inPlace:)` is allowed for this layer's configuration.
    var runsInPlace: Bool { get }
    /// The output written over `input`'s storage; returns `input`.
    func forward(inPlace input: Tensor) throws(ShapeError) -> Tensor
}

/// A layer that can write ∂L/∂input over ∂L/∂output (each value read before it is
/// written): a `Sequential` runs it so when the gradient it receives is the chain's own,
/// that is, returned by a following layer that `OwnsItsResults` or ran in place itself.
public protocol InPlaceBackward: Layer {
    /// ∂L/∂input written over `gradOutput`'s storage; returns `gradOutput`.
    func backward(inPlace gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor
}

/// A layer that only changes the shape (`torch.Tensor.view`): in a `Sequential` it gives
/// the shape it computes to the tensor it receives, which is another layer's storage, and
/// returns that tensor, copying nothing; its backward gives the tensor its shape back and
/// relabels the gradient it receives the same way. A `Sequential` runs it so neither on its
/// own input nor where the relabelled tensor would reach its caller. It writes no element,
/// so the storage it passes on is as free to be written over as it was before it.
public protocol InPlaceReshape: InPlaceForward, InPlaceBackward {}

/// A layer that can apply a ReLU or LeakyReLU to its output in the pass that writes it
/// (`Rectifier`): a `Sequential` asks it to for the activation that follows it, whose forward
/// then only keeps that output for its backward (`Activation.forward(rectified:)`), and the
/// output is not read and written over once more. The layer's backward is unchanged: it reads
/// its input, never its output.
public protocol RectifiesItsOutput: OwnsItsResults {
    /// The output for `input`, rectified by `rectifier` (as `forward(_:)` when nil).
    func forward(_ input: Tensor, rectifier: Rectifier?) throws(ShapeError) -> Tensor
}

/// An `InPlaceBackward` layer whose backward is written once, into a given tensor: its own
/// storage, or the gradient it receives.
public protocol BackwardInto: InPlaceBackward {
    /// Where its input gradient goes when it does not run in place.
    var gradientStorage: Tensor { get }
    /// ∂L/∂input into `gradInput`, which may be `gradOutput` (each value is read before it
    /// is written).
    func backward(_ gradOutput: Tensor, into gradInput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor
}

extension BackwardInto {
    public func backward(_ gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        try backward(gradOutput, into: gradientStorage, accumulateParameterGradients: accumulateParameterGradients)
    }

    /// ∂L/∂input written over `gradOutput` (see `InPlaceBackward`).
    public func backward(inPlace gradOutput: Tensor, accumulateParameterGradients: Bool) throws(ShapeError) -> Tensor {
        try backward(gradOutput, into: gradOutput, accumulateParameterGradients: accumulateParameterGradients)
    }
}
