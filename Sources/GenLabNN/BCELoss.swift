import CKernels

/// `torch.nn.functional.binary_cross_entropy` on probabilities:
/// −(t·log x + (1 − t)·log(1 − x)), each log clamped at −100 as PyTorch does (the terms and
/// their sum by `genlab_bce_sum`).
public struct BCELoss: Sendable {
    public var reduction: Reduction
    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    public func forward(_ input: Tensor, _ target: Tensor) throws(ShapeError) -> Float {
        try requireSameShape(input, target, "binary_cross_entropy")
        return Float(genlab_bce_sum(input.data, target.data, input.count)) * reduction.factor(of: input)
    }

    /// Writes scale · ∂loss/∂input into `gradInput`: (x − t) / max(x(1 − x), 1e-12).
    public func backward(_ input: Tensor, _ target: Tensor, scale: Float = 1, into gradInput: Tensor) throws(ShapeError) {
        try requireSameShape(input, target, "binary_cross_entropy")
        gradInput.resize(to: input.shape)
        let k = scale * reduction.factor(of: input)
        let x = input.data, t = target.data, g = gradInput.data
        for i in 0..<input.count { g[i] = k * (x[i] - t[i]) / Swift.max((1 - x[i]) * x[i], 1e-12) }
    }
}
