import CKernels
import Foundation

/// `torch.optim.Adam` (single-tensor CPU path, same operation order), with PyTorch's
/// `weight_decay` as L2 added to the gradient.
public final class Adam: Optimizer {
    public let parameters: [NamedParameter]
    public var lr: Float
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    public var weightDecay: Float
    private let slots: OptimizerSlots

    public init(_ parameters: [NamedParameter], lr: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                eps: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters
        self.lr = lr
        beta1 = betas.0
        beta2 = betas.1
        self.eps = eps
        self.weightDecay = weightDecay
        slots = OptimizerSlots(["exp_avg", "exp_avg_sq"], for: parameters)
    }

    public func step() {
        slots.step += 1
        let t = Double(slots.step)
        let biasCorrection1 = 1 - Foundation.pow(Double(beta1), t)
        let biasCorrection2Sqrt = (1 - Foundation.pow(Double(beta2), t)).squareRoot()
        let stepSize = -Float(Double(lr) / biasCorrection1)
        let bc2 = Float(biasCorrection2Sqrt)
        slots.forEachPart { p, g, buffers, count in
            genlab_adam_update(p, g, buffers[0], buffers[1], count, beta1, beta2, eps, weightDecay, stepSize, bc2)
        }
    }

    public var state: OptimizerState { slots.state }
    public func restore(_ state: OptimizerState) throws(OptimizerStateError) { try slots.restore(state) }
}
