/// `torch.nn.functional.mse_loss`: (input − target)², reduced by mean or sum.
public struct MSELoss: Sendable {
    public var reduction: Reduction
    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    public func forward(_ input: Tensor, _ target: Tensor) throws(ShapeError) -> Float {
        try requireSameShape(input, target, "mse_loss")
        let x = input.data, t = target.data
        var sum = 0.0
        for i in 0..<input.count { let d = Double(x[i] - t[i]); sum += d * d }
        return Float(sum) * reduction.factor(of: input)
    }

    /// Writes scale · ∂loss/∂input into `gradInput`.
    public func backward(_ input: Tensor, _ target: Tensor, scale: Float = 1, into gradInput: Tensor) throws(ShapeError) {
        try requireSameShape(input, target, "mse_loss")
        gradInput.resize(to: input.shape)
        let k = 2 * scale * reduction.factor(of: input)
        let x = input.data, t = target.data, g = gradInput.data
        for i in 0..<input.count { g[i] = k * (x[i] - t[i]) }
    }
}
