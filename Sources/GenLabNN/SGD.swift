import CKernels

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
        let first: Int32 = slots.step == 0 ? 1 : 0
        slots.step += 1
        slots.forEachPart { p, g, buffers, count in
            genlab_sgd_update(p, g, buffers[0], count, lr, momentum, weightDecay, first)
        }
    }

    public var state: OptimizerState { slots.state }
    public func restore(_ state: OptimizerState) throws(OptimizerStateError) { try slots.restore(state) }
}
