/// A layer whose backward pass can itself be differentiated: double backprop, for a penalty
/// P on an input gradient (WGAN-GP's λ·(‖∇x̂ D(x̂)‖ − 1)²), as PyTorch's
/// `torch.autograd.grad(…, create_graph=True)` followed by `P.backward()`.
///
/// The backward pass computes ∂L/∂x = B(x, θ, g) from the gradient g = ∂L/∂y it is given.
/// After `forward(x)`:
/// 1. `backwardKeepingGradients(g)` returns B(x, θ, g) as `backward(g,
///    accumulateParameterGradients: false)` does, keeping g (and, inside a container, each
///    layer's) and every cache of the forward pass;
/// 2. `backwardOfBackward(v)`, v = ∂P/∂B, adds ∂P/∂θ through B's use of the parameters to
///    their gradients and returns ∂P/∂g. Where B also reads x itself (smooth activations,
///    normalisations), the layer keeps ∂P/∂x through it (`hasPendingInputGradient`) and adds
///    it to the input gradient of its next `backward`;
/// 3. when `hasPendingInputGradient`, the caller runs `backward` once more (from a zero
///    gradient at the network's output, accumulating parameter gradients), which carries those
///    terms through the layers below them into ∂P/∂θ.
///
/// A layer's caches therefore outlive its backward pass: it may run `backward` again for the
/// same forward pass.
public protocol SecondOrderLayer: Layer {
    /// ∂L/∂input, without parameter gradients, keeping `gradOutput` for `backwardOfBackward`.
    func backwardKeepingGradients(_ gradOutput: Tensor) throws(ShapeError) -> Tensor
    /// Given ∂P/∂(the input gradient the last `backwardKeepingGradients` returned): adds ∂P/∂θ
    /// to the parameter gradients and returns ∂P/∂(the gradient it was given).
    func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor
    /// Whether the last `backwardOfBackward` left a term that the next `backward` adds to its
    /// input gradient (see step 3 above).
    var hasPendingInputGradient: Bool { get }
}

extension SecondOrderLayer {
    /// A layer whose second pass needs no gradient of its own keeps nothing.
    public func backwardKeepingGradients(_ gradOutput: Tensor) throws(ShapeError) -> Tensor {
        try backward(gradOutput, accumulateParameterGradients: false)
    }

    public var hasPendingInputGradient: Bool { false }
}

/// A copy of the gradient a layer's `backwardKeepingGradients` was given, and the term its
/// `backwardOfBackward` leaves for the next backward pass: what a `SecondOrderLayer` whose
/// second pass reads its gradient, or its input, keeps.
final class SecondOrderState {
    /// The last gradient given to `backwardKeepingGradients`.
    let gradOutput = Tensor(zeros: [0])
    /// ∂P/∂input through the backward pass's use of the input, until a backward adds it.
    let pending = Tensor(zeros: [0])
    /// What `backwardOfBackward` returns: ∂P/∂(the kept gradient).
    let result = Tensor(zeros: [0])
    /// Whether `pending` is waiting for a backward pass.
    private(set) var isPending = false

    /// Copies `gradient` (before a backward pass that may write over it).
    func keep(_ gradient: Tensor) {
        gradOutput.resize(to: gradient.shape)
        gradOutput.data.update(from: gradient.data, count: gradient.count)
    }

    /// `pending` of `shape`, to be filled, and marked as waiting.
    func startPending(shape: [Int]) -> Tensor {
        pending.resize(to: shape)
        isPending = true
        return pending
    }

    /// Adds the waiting term, if any, to a backward pass's input gradient.
    func addPending(to gradInput: Tensor) {
        guard isPending else { return }
        isPending = false
        let dx = gradInput.data, u = pending.data
        for i in 0..<gradInput.count { dx[i] += u[i] }
    }

    /// The kept gradient, or an error naming the layer when there is none (of `shape`, when
    /// given).
    func kept(_ layer: String, shape: [Int]? = nil) throws(ShapeError) -> Tensor {
        guard shape == nil || gradOutput.shape == shape, gradOutput.count > 0 else {
            throw ShapeError("\(layer): backwardOfBackward called without backwardKeepingGradients")
        }
        return gradOutput
    }
}

/// A layer whose second pass reads the gradient its backward pass was given (and may leave a
/// term for its next backward): it keeps both in `secondOrder`.
protocol KeepsItsGradient: SecondOrderLayer {
    var secondOrder: SecondOrderState { get }
}

extension KeepsItsGradient {
    public func backwardKeepingGradients(_ gradOutput: Tensor) throws(ShapeError) -> Tensor {
        secondOrder.keep(gradOutput)
        return try backward(gradOutput, accumulateParameterGradients: false)
    }

    public var hasPendingInputGradient: Bool { secondOrder.isPending }
}

/// A parameter-free layer linear in its input, y = A·x (pooling by averages, upsampling,
/// reshapes): ∂L/∂x = Aᵀ·g, so ∂P/∂g = A·v, its forward pass applied to v by a twin, which
/// leaves the layer's own caches alone.
protocol LinearInInput: SecondOrderLayer {
    /// The twin, made once.
    var twin: Self { get }
}

extension LinearInInput {
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        try twin.forward(gradGradInput)
    }
}

/// A layer linear in its input and in its weight (`Conv2d`, `ConvTranspose2d`): its backward
/// pass ∂L/∂x = Aᵀ(g; W) is linear in g and W, so ∂P/∂g = A(v; W) and ∂P/∂W gains the weight
/// gradient of A at input v for the output gradient g; both come from a twin layer that shares
/// W (value and gradient) and has no bias, which leaves the layer's own caches alone.
protocol LinearInInputAndWeight: KeepsItsGradient {
    /// The twin, made once.
    var twin: Self { get }
}

extension LinearInInputAndWeight {
    public func backwardOfBackward(_ gradGradInput: Tensor) throws(ShapeError) -> Tensor {
        let g = try secondOrder.kept(typeName)
        let result = try twin.forward(gradGradInput)
        // the twin's input gradient is not needed: only its weight gradient, into the shared W
        _ = try twin.backward(g, accumulateParameterGradients: true)
        return result
    }
}
