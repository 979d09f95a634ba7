import GenLabNN
import GenLabSpec

/// WGAN training as the lab's: each iteration one critic update on the real batch and a
/// fake batch, loss −mean f(x) + mean f(G(z)), then every critic parameter clipped to
/// [−c, c]; every `critic_steps` iterations (the first included; counted over the run, or
/// within each epoch with `critic_schedule: epoch`) one generator update on fresh noise,
/// loss −mean f(G(z)).
public final class WGANTrainer: AdversarialTrainer {
    public let model: BuiltModel
    public let lossNames = ["critic", "generator"]
    let pair: AdversarialPair
    /// Critic updates so far (decides when the generator steps).
    private(set) var iteration = 0
    /// Iterations per epoch, for `critic_schedule: epoch`.
    let batchesPerEpoch: Int
    private var lastGeneratorLoss: Float = 0
    private let gradScores = Tensor(zeros: [0])

    init(_ model: BuiltModel, _ networks: AdversarialNetworks, batchesPerEpoch: Int) {
        self.model = model
        pair = AdversarialPair(model, networks)
        self.batchesPerEpoch = max(batchesPerEpoch, 1)
    }

    /// Whether this iteration ends with a generator update.
    private var generatorSteps: Bool {
        let counted = pair.spec.criticSchedule == .epoch ? iteration % batchesPerEpoch : iteration
        return counted % pair.spec.criticSteps == 0
    }

    public var optimizers: [String: Optimizer] { pair.optimizers }
    public var sampleNoiseShape: [Int]? { pair.noiseShape }

    /// sign · mean critic score of `input`, with its gradient back-propagated to the input.
    private func score(_ input: Tensor, sign: Float, updateCritic: Bool) throws(ShapeError) -> (loss: Float, gradInput: Tensor) {
        let scores = try pair.opponent.forward(input), loss = WassersteinLoss(sign: sign)
        loss.backward(scores, into: gradScores)
        return (loss.forward(scores), try pair.opponent.backward(gradScores, accumulateParameterGradients: updateCritic))
    }

    public func step(_ batch: Tensor, drawing source: inout NoiseSource) throws(ShapeError) -> [String: Float] {
        let n = batch.shape[0]
        let cOptimizer = pair.opponentOptimizer, gOptimizer = pair.generatorOptimizer
        cOptimizer.zeroGrad()
        let real = try score(batch, sign: -1, updateCritic: true).loss
        let fake = try score(try pair.fakeBatch(n, &source), sign: 1, updateCritic: true).loss
        cOptimizer.step()
        if let clip = pair.spec.clip { cOptimizer.clampParameters(Float(clip)) }
        if generatorSteps {
            gOptimizer.zeroGrad()
            let (loss, gradFake) = try generatorLoss(try pair.fakeBatch(n, &source))
            _ = try pair.generator.backward(gradFake)
            gOptimizer.step()
            lastGeneratorLoss = loss
        }
        iteration += 1
        return ["critic": real + fake, "generator": lastGeneratorLoss]
    }

    public func generatorLoss(_ fake: Tensor) throws(ShapeError) -> (loss: Float, gradInput: Tensor) {
        try score(fake, sign: -1, updateCritic: false)
    }

    /// The last generator loss, repeated in the history until the generator steps again.
    public var carriedValues: [String: [Float]] { ["last_generator_loss": [lastGeneratorLoss]] }

    /// Continues the critic/generator schedule after `steps` iterations.
    public func resume(afterSteps steps: Int, carried: [String: [Float]]) {
        iteration = steps
        lastGeneratorLoss = carried["last_generator_loss"]?.first ?? 0
    }

    public func samples(holdout: Tensor, noise fixed: Tensor) throws(ShapeError) -> Tensor {
        try evaluating { () throws(ShapeError) -> Tensor in try pair.generator.forward(fixed) }
    }
}
