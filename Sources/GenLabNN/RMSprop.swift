/// `torch.optim.RMSprop` (not centred, no momentum): square_avg ← α·square_avg + (1 − α)·g²,
/// p ← p − lr · g / (√square_avg + eps).
public final class RMSprop: Optimizer {
    public let parameters: [NamedParameter]
    public var lr: Float
    public var alpha: Float
    public var eps: Float
    public var weightDecay: Float
    private let slots: OptimizerSlots

    public init(_ parameters: [NamedParameter], lr: Float = 1e-2, alpha: Float = 0.99, eps: Float = 1e-8,
                weightDecay: Float = 0) {
        self.parameters = parameters
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.weightDecay = weightDecay
        slots = OptimizerSlots(["square_avg"], for: parameters)
    }

    public func step() {
        slots.step += 1
        let a = alpha, oneMinusA = 1 - alpha, eps = eps, negLr = -lr, wd = weightDecay
        for (index, named) in parameters.enumerated() {
            let p = named.parameter.value.data, g = named.parameter.grad.data
            let s = slots[0][index].data
            for i in 0..<named.parameter.value.count {
                let grad = wd == 0 ? g[i] : g[i] + p[i] * wd
                s[i] = s[i] * a + oneMinusA * grad * grad
                p[i] = p[i] + negLr * (grad / (s[i].squareRoot() + eps))
            }
        }
    }

    public var state: OptimizerState { slots.state }
    public func restore(_ state: OptimizerState) throws(OptimizerStateError) { try slots.restore(state) }
}
