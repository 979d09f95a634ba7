import GenLabNN
import GenLabSpec

/// WGAN training as the lab's: each iteration one critic update on the real batch and a
/// fake batch, loss −mean f(x) + mean f(G(z)), then every critic parameter clipped to
/// [−c, c] — or, with a gradient penalty (WGAN-GP), the loss plus the penalty on interpolates
/// between the two batches (`AdversarialModel.gradientPenalty`), without clipping; every
/// `critic_steps` iterations (the first included; counted over the run, or within each epoch
/// with `critic_schedule: epoch`) one generator update on fresh noise, loss −mean f(G(z)).
/// The history's `critic` is the whole critic loss, `penalty` its penalty term.
public final class WGANTrainer: AdversarialTrainer {
    public let adversarial: AdversarialModel
    public let lossNames: [String]
    public let optimizers: [String: Optimizer]
    private let generatorOptimizer: Optimizer, criticOptimizer: Optimizer
    /// Critic updates so far (decides when the generator steps).
    private(set) var iteration = 0
    /// Iterations per epoch, for `critic_schedule: epoch`.
    let batchesPerEpoch: Int
    private var lastGeneratorLoss: Float = 0

    init(_ adversarial: AdversarialModel, batchesPerEpoch: Int) {
        self.adversarial = adversarial
        self.batchesPerEpoch = max(batchesPerEpoch, 1)
        lossNames = ["critic", "generator"] + (adversarial.spec.penalty == nil ? [] : ["penalty"])
        let train = adversarial.model.experiment.train
        generatorOptimizer = Optimizers.make(train.optimizers["generator"], adversarial.generator.parameters)
        criticOptimizer = Optimizers.make(train.optimizers["critic"], adversarial.opponent.parameters)
        optimizers = ["generator": generatorOptimizer, "critic": criticOptimizer]
    }

    /// Whether this iteration ends with a generator update.
    private var generatorSteps: Bool {
        let spec = adversarial.spec
        let counted = spec.criticSchedule == .epoch ? iteration % batchesPerEpoch : iteration
        return counted % spec.criticSteps == 0
    }

    public func step(_ batch: Tensor, labels: [Int32], drawing source: inout NoiseSource) throws(ShapeError) -> [String: Float] {
        try condition(on: labels, batch: batch)
        let n = batch.shape[0]
        criticOptimizer.zeroGrad()
        let real = try adversarial.rate(batch, as: .real, updateOpponent: true).loss
        let fakeBatch = try adversarial.fakeBatch(n, &source)
        let fake = try adversarial.rate(fakeBatch, as: .fake, updateOpponent: true).loss
        let penalty = try adversarial.spec.penalty.map { (spec) throws(ShapeError) in
            try adversarial.gradientPenalty(real: batch, fake: fakeBatch, spec, &source)
        }
        criticOptimizer.step()
        if let clip = adversarial.spec.clip { criticOptimizer.clampParameters(Float(clip)) }
        if generatorSteps {
            generatorOptimizer.zeroGrad()
            let (loss, gradFake) = try adversarial.generatorLoss(try adversarial.fakeBatch(n, &source))
            _ = try adversarial.generator.backward(gradFake)
            generatorOptimizer.step()
            lastGeneratorLoss = loss
        }
        iteration += 1
        var losses = ["critic": real + fake + (penalty ?? 0), "generator": lastGeneratorLoss]
        losses["penalty"] = penalty
        return losses
    }

    /// The critic's loss without its penalty, and the generator's.
    public let validationNames = ["critic", "generator"]

    public func validate(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        let losses = try validationLosses(batch, labels: labels, generator: &generator)
        return ["critic": losses.real + losses.fake, "generator": losses.generator]
    }

    /// The last generator loss, repeated in the history until the generator steps again.
    public var carriedValues: [String: [Float]] { ["last_generator_loss": [lastGeneratorLoss]] }

    /// Continues the critic/generator schedule after `steps` iterations.
    public func resume(afterSteps steps: Int, carried: [String: [Float]]) {
        iteration = steps
        lastGeneratorLoss = carried["last_generator_loss"]?.first ?? 0
    }
}

/// `kind: wgan`.
struct WGANKind: GeneratorOpponentKind {
    func networks(_ experiment: Experiment, _ generator: inout RandomGenerator) throws(SpecError) -> Architecture {
        let networks = try AdversarialNetworks.build(experiment, &generator, opponent: "critic")
        let spec = experiment.model.adversarial!, last = spec.discriminator.last
        if last?.is(Activation.Sigmoid.self) == true {
            throw SpecError(.shapeMismatch, "a WGAN critic gives a score, not a probability: remove the final sigmoid", at: last?.location ?? spec.location)
        }
        if spec.penalty != nil, let norm = LayerSpec.first(BatchNorm.Kind.self, in: spec.discriminator) {
            throw SpecError(.invalidValue, "batchnorm in a critic with a gradient penalty: the penalty is per image, and batch statistics mix the images (use layernorm or groupnorm)", at: norm.location)
        }
        return .adversarial(networks)
    }

    func generativeModel(_ model: BuiltModel, _ networks: AdversarialNetworks) -> AdversarialModel {
        AdversarialModel(model, networks, rating: .critic)
    }

    func trainer(_ model: BuiltModel, _ networks: AdversarialNetworks, batchesPerEpoch: Int) -> any Trainer {
        WGANTrainer(generativeModel(model, networks), batchesPerEpoch: batchesPerEpoch)
    }
}
