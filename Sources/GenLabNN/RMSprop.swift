import CKernels

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
        slots.forEachPart { p, g, buffers, count in
            genlab_rmsprop_update(p, g, buffers[0], count, lr, alpha, eps, weightDecay)
        }
    }

    public var state: OptimizerState { slots.state }
    public func restore(_ state: OptimizerState) throws(OptimizerStateError) { try slots.restore(state) }
}
