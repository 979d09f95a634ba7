import GenLabNN
import GenLabSpec

/// GAN training as the lab's DCGAN: per iteration, `d_steps` discriminator updates on the
/// real batch (target 1) and a separate fake batch G(z) (target 0, G not updated), then
/// `g_steps` generator updates through D with the targets flipped to 1 (the first on the
/// last fake batch, or on fresh noise with `generator_noise: fresh`; further ones on fresh
/// noise). BCE on probabilities or with logits, the hinge loss or least squares (see
/// `AdversarialSpec.Loss`).
public final class GANTrainer: AdversarialTrainer {
    public let adversarial: AdversarialModel
    public let lossNames = ["d_real", "d_fake", "generator"]
    public let optimizers: [String: Optimizer]
    private let generatorOptimizer: Optimizer, discriminatorOptimizer: Optimizer

    init(_ adversarial: AdversarialModel) {
        self.adversarial = adversarial
        let train = adversarial.model.experiment.train
        generatorOptimizer = Optimizers.make(train.optimizers["generator"], adversarial.generator.parameters)
        discriminatorOptimizer = Optimizers.make(train.optimizers["discriminator"], adversarial.opponent.parameters)
        optimizers = ["generator": generatorOptimizer, "discriminator": discriminatorOptimizer]
    }

    public func step(_ batch: Tensor, labels: [Int32], drawing source: inout NoiseSource) throws(ShapeError) -> [String: Float] {
        try condition(on: labels, batch: batch)
        let n = batch.shape[0], spec = adversarial.spec
        var dReal: Float = 0, dFake: Float = 0, gLoss: Float = 0
        var fake = batch
        for _ in 0..<spec.dSteps {
            discriminatorOptimizer.zeroGrad()
            dReal = try adversarial.rate(batch, as: .real, updateOpponent: true).loss
            fake = try adversarial.fakeBatch(n, &source)
            dFake = try adversarial.rate(fake, as: .fake, updateOpponent: true).loss
            discriminatorOptimizer.step()
        }
        for g in 0..<spec.gSteps {
            generatorOptimizer.zeroGrad()
            if g > 0 || spec.generatorNoise == .fresh { fake = try adversarial.fakeBatch(n, &source) }
            let (loss, gradFake) = try adversarial.generatorLoss(fake)
            gLoss = loss
            _ = try adversarial.generator.backward(gradFake)
            generatorOptimizer.step()
        }
        return ["d_real": dReal, "d_fake": dFake, "generator": gLoss]
    }

    public func validate(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        let losses = try validationLosses(batch, labels: labels, generator: &generator)
        return ["d_real": losses.real, "d_fake": losses.fake, "generator": losses.generator]
    }
}

/// `kind: gan`.
struct GANKind: GeneratorOpponentKind {
    func networks(_ experiment: Experiment, _ generator: inout RandomGenerator) throws(SpecError) -> Architecture {
        let networks = try AdversarialNetworks.build(experiment, &generator, opponent: "discriminator")
        let spec = experiment.model.adversarial!, last = spec.discriminator.last
        let endsInSigmoid = last?.is(Activation.Sigmoid.self) == true
        if spec.loss == .bce, !endsInSigmoid {
            throw SpecError(.shapeMismatch, "loss 'bce' takes probabilities: end the discriminator with 'sigmoid', or use 'loss: bce_logits'", at: last?.location ?? spec.location)
        }
        if !spec.loss.takesProbabilities, endsInSigmoid {
            throw SpecError(.shapeMismatch, "loss '\(spec.loss.rawValue)' takes \(spec.loss == .bceLogits ? "logits" : "scores"): remove the final sigmoid\(spec.loss == .bceLogits ? ", or use 'loss: bce'" : "")", at: last?.location ?? spec.location)
        }
        return .adversarial(networks)
    }

    func generativeModel(_ model: BuiltModel, _ networks: AdversarialNetworks) -> AdversarialModel {
        AdversarialModel(model, networks, rating: .discriminator(model.experiment.model.adversarial!.loss))
    }

    func trainer(_ model: BuiltModel, _ networks: AdversarialNetworks, batchesPerEpoch: Int) -> any Trainer {
        GANTrainer(generativeModel(model, networks))
    }
}
