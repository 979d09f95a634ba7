import GenLabNN
import GenLabSpec

/// One objective's training iteration over a generative model, with its optimizers.
///
/// A trainer composes the differentiable pieces of `GenLabNN` (losses, KL forms,
/// reparameterisation, splits) around the forward passes of its `GenerativeModel`; it holds
/// no gradient formula of its own.
public protocol Trainer: AnyObject {
    /// The model it trains: what samples, encodes and decodes.
    var generative: any GenerativeModel { get }
    /// The names of the losses `step` returns, as history columns.
    var lossNames: [String] { get }
    /// The optimizers by the name their state is stored under ("model", "generator", …).
    var optimizers: [String: Optimizer] { get }
    /// One training iteration on a normalised batch and its labels; random draws (ε, noise,
    /// corruption) come from `generator`.
    func step(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float]
    /// The objective's loss terms on a held-out batch, in evaluation mode, nothing updated;
    /// random draws (ε, fresh fakes, corruption) from `generator`.
    func validate(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float]
    /// The names of the losses `validate` returns.
    var validationNames: [String] { get }
    /// Values the objective carries from one step to the next, saved with checkpoints.
    var carriedValues: [String: [Float]] { get }
    /// Continues after `steps` iterations with the carried values of a checkpoint.
    func resume(afterSteps steps: Int, carried: [String: [Float]])
}

extension Trainer {
    public var validationNames: [String] { lossNames }

    /// The history's loss columns: the training losses, then (with `record.validation`) the
    /// validated ones.
    public var historyColumns: [String] {
        let validation = model.experiment.record.validation
        return lossNames + (validation == nil ? [] : validationNames.map(HistoryColumn.validation))
            + (validation?.fd == true ? [HistoryColumn.validation("fd")] : [])
    }
    public var carriedValues: [String: [Float]] { [:] }
    public func resume(afterSteps steps: Int, carried: [String: [Float]]) {}
    /// The built networks the trainer updates.
    public var model: BuiltModel { generative.model }
}

/// The names of the history's columns.
public enum HistoryColumn {
    /// The column of a validated loss term: "validation.<term>".
    public static func validation(_ term: String) -> String { "validation.\(term)" }
}

/// The optimizers an experiment's `train.optimizers` asks for.
enum Optimizers {
    /// The one optimizer ("model") of an autoencoder, over every parameter group, keyed
    /// "<network>.<state_dict key>".
    static func model(_ model: BuiltModel) -> Optimizer {
        let parameters = model.parameterGroups.flatMap { group in
            group.parameters.map { (name: "\(group.name).\($0.name)", parameter: $0.parameter) }
        }
        return make(model.experiment.train.optimizers["model"], parameters)
    }

    /// The optimizer `spec` describes (Adam with PyTorch's defaults when nil), over `parameters`.
    static func make(_ spec: OptimizerSpec?, _ parameters: [NamedParameter]) -> Optimizer {
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
