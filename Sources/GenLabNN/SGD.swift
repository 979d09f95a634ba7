/// `torch.optim.SGD` with momentum (no dampening, not Nesterov): the buffer starts as the
/// first gradient, then b ← μ·b + g; p ← p − lr·b.
public final class SGD: Optimizer {
    public let parameters: [NamedParameter]
    public var lr: Float
    public var momentum: Float
    public var weightDecay: Float
    private let slots: OptimizerSlots

    public init(_ parameters: [NamedParameter], lr: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters
        self.lr = lr
        self.momentum = momentum
        self.weightDecay = weightDecay
        slots = OptimizerSlots(["momentum_buffer"], for: parameters)
    }

    public func step() {
        let first = slots.step == 0
        slots.step += 1
        let mu = momentum, negLr = -lr, wd = weightDecay
        for (index, named) in parameters.enumerated() {
            let p = named.parameter.value.data, g = named.parameter.grad.data
            let b = slots[0][index].data
            for i in 0..<named.parameter.value.count {
                let grad = wd == 0 ? g[i] : g[i] + p[i] * wd
                let d: Float
                if mu == 0 {
                    d = grad
                } else {
                    b[i] = first ? grad : b[i] * mu + grad
                    d = b[i]
                }
                p[i] = p[i] + negLr * d
            }
        }
    }

    public var state: OptimizerState { slots.state }
    public func restore(_ state: OptimizerState) throws(OptimizerStateError) { try slots.restore(state) }
}
