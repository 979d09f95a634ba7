import GenLabNN
import GenLabSpec

/// One objective's training iteration over a built model, with its optimizers.
///
/// A trainer composes the differentiable pieces of `GenLabNN` (losses, KL forms,
/// reparameterisation, splits) around the networks of its `Architecture`; it holds no
/// gradient formula of its own.
public protocol Trainer: AnyObject {
    var model: BuiltModel { get }
    /// The names of the losses `step` returns, as history columns.
    var lossNames: [String] { get }
    /// The optimizers by the name their state is stored under ("model", "generator", …).
    var optimizers: [String: Optimizer] { get }
    /// One training iteration on a normalised batch and its labels; random draws (ε, noise,
    /// corruption) come from `generator`.
    func step(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float]
    /// What to record as samples, in evaluation mode: reconstructions of `holdout`
    /// (autoencoders), decodings of `noise` with labels cycling through the classes (CVAE),
    /// or the generator's images of `noise` (GANs). The result is in normalised space.
    func samples(holdout: Tensor, noise: Tensor) throws(ShapeError) -> Tensor
    /// The shape of one noise item for `samples` (latent, or latent×1×1 for convolutional
    /// generators); nil when samples are reconstructions.
    var sampleNoiseShape: [Int]? { get }
    /// Values the objective carries from one step to the next, saved with checkpoints.
    var carriedValues: [String: [Float]] { get }
    /// Continues after `steps` iterations with the carried values of a checkpoint.
    func resume(afterSteps steps: Int, carried: [String: [Float]])
}

extension Trainer {
    public var carriedValues: [String: [Float]] { [:] }
    public func resume(afterSteps steps: Int, carried: [String: [Float]]) {}

    /// Runs `body` with every network in evaluation mode, then puts each network back in the
    /// mode it had before, so scopes nest (an inner scope leaves the outer one evaluating).
    func evaluating<T>(_ body: () throws(ShapeError) -> T) throws(ShapeError) -> T {
        let modes = model.networks.map(\.network.isTraining)
        for built in model.networks { built.network.isTraining = false }
        defer { for (built, mode) in zip(model.networks, modes) { built.network.isTraining = mode } }
        return try body()
    }
}

/// Builds the trainer of an experiment's objective.
public enum TrainerFactory {
    /// The trainer of `model`'s objective, for epochs of `batchesPerEpoch` iterations (the
    /// WGAN's per-epoch critic schedule counts within them).
    public static func make(_ model: BuiltModel, batchesPerEpoch: Int) -> Trainer {
        switch model.architecture {
        case .autoencoder(let networks):
            switch model.experiment.model.kind {
            case .vae, .cvae: VAETrainer(model, networks)
            case .hvae: HierarchicalVAETrainer(model, networks)
            default: AutoencoderTrainer(model, networks)
            }
        case .adversarial(let networks):
            model.experiment.model.kind == .wgan ? WGANTrainer(model, networks, batchesPerEpoch: batchesPerEpoch) : GANTrainer(model, networks)
        }
    }

    /// The one optimizer ("model") of an autoencoder, over every parameter group, keyed
    /// "<network>.<state_dict key>".
    static func modelOptimizer(_ model: BuiltModel) -> Optimizer {
        let parameters = model.parameterGroups.flatMap { group in
            group.parameters.map { (name: "\(group.name).\($0.name)", parameter: $0.parameter) }
        }
        return optimizer(model.experiment.train.optimizers["model"], parameters)
    }

    /// The optimizer an experiment asks for, over `parameters`.
    static func optimizer(_ spec: OptimizerSpec?, _ parameters: [NamedParameter]) -> Optimizer {
        switch spec ?? .adam(lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8, weightDecay: 0) {
        case .adam(let lr, let betas, let eps, let wd):
            Adam(parameters, lr: Float(lr), betas: (Float(betas.0), Float(betas.1)), eps: Float(eps), weightDecay: Float(wd))
        case .rmsprop(let lr, let alpha, let eps, let wd):
            RMSprop(parameters, lr: Float(lr), alpha: Float(alpha), eps: Float(eps), weightDecay: Float(wd))
        case .sgd(let lr, let momentum, let wd):
            SGD(parameters, lr: Float(lr), momentum: Float(momentum), weightDecay: Float(wd))
        }
    }
}
