import Foundation

/// `torch.nn.functional.binary_cross_entropy_with_logits`, in PyTorch's stable form:
/// (1 − t)·x + m + log(e^(−m) + e^(−x−m)) with m = max(−x, 0).
public struct BCEWithLogitsLoss: Sendable {
    public var reduction: Reduction
    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    public func forward(_ input: Tensor, _ target: Tensor) throws(ShapeError) -> Float {
        try requireSameShape(input, target, "binary_cross_entropy_with_logits")
        let x = input.data, t = target.data
        var sum = 0.0
        for i in 0..<input.count {
            let m = Swift.max(-x[i], 0)
            sum += Double((1 - t[i]) * x[i] + m + Foundation.log(Foundation.exp(-m) + Foundation.exp(-x[i] - m)))
        }
        return Float(sum) * reduction.factor(of: input)
    }

    /// Writes scale · ∂loss/∂input into `gradInput`: σ(x) − t.
    public func backward(_ input: Tensor, _ target: Tensor, scale: Float = 1, into gradInput: Tensor) throws(ShapeError) {
        try requireSameShape(input, target, "binary_cross_entropy_with_logits")
        gradInput.resize(to: input.shape)
        let k = scale * reduction.factor(of: input)
        let x = input.data, t = target.data, g = gradInput.data
        for i in 0..<input.count { g[i] = k * (1 / (1 + Foundation.exp(-x[i])) - t[i]) }
    }
}
