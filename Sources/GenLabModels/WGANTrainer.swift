import GenLabNN
import GenLabSpec

/// WGAN training as the lab's: each iteration one critic update on the real batch and a
/// fake batch, loss −mean f(x) + mean f(G(z)), then every critic parameter clipped to
/// [−c, c]; every `critic_steps` iterations (the first included) one generator update on
/// fresh noise, loss −mean f(G(z)).
public final class WGANTrainer: Trainer {
    public let model: BuiltModel
    public let optimizers: [String: Optimizer]
    public let lossNames = ["critic", "generator"]
    public let sampleNoiseShape: [Int]?

    let spec: AdversarialSpec
    let generatorNetwork: Sequential
    let critic: Sequential
    /// Critic updates so far (decides when the generator steps).
    private(set) var iteration = 0
    private var lastGeneratorLoss: Float = 0

    private let noise = Tensor(zeros: [0])
    private let gradOutput = Tensor(zeros: [0])

    public init(_ model: BuiltModel) {
        self.model = model
        spec = model.experiment.model.adversarial!
        let g = model.network("generator")!, c = model.network("critic")!
        generatorNetwork = g.network
        critic = c.network
        sampleNoiseShape = g.inputShape
        let train = model.experiment.train
        optimizers = [
            "generator": TrainerFactory.optimizer(train.optimizers["generator"], g.network.parameters),
            "critic": TrainerFactory.optimizer(train.optimizers["critic"], c.network.parameters),
        ]
    }

    /// Mean critic score of `input`, with ∂(sign·mean)/∂input back-propagated.
    private func score(_ input: Tensor, sign: Float, updateCritic: Bool) throws(ShapeError) -> (mean: Float, gradInput: Tensor) {
        let output = try critic.forward(input)
        let n = output.count
        var sum: Double = 0
        for i in 0..<n { sum += Double(output[i]) }
        gradOutput.resize(to: output.shape)
        gradOutput.fill(sign / Float(n))
        return (Float(sum / Double(n)), try critic.backward(gradOutput, accumulateParameterGradients: updateCritic))
    }

    private func generate(_ n: Int, _ randomGenerator: inout RandomGenerator) throws(ShapeError) -> Tensor {
        noise.resize(to: [n] + (sampleNoiseShape ?? []))
        randomGenerator.fillNormal(noise.buffer)
        return try generatorNetwork.forward(noise)
    }

    public func step(_ batch: Tensor, labels: [Int32], generator randomGenerator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        let n = batch.shape[0]
        let cOptimizer = optimizers["critic"]!, gOptimizer = optimizers["generator"]!
        cOptimizer.zeroGrad()
        let real = try score(batch, sign: -1, updateCritic: true).mean
        let fakeScore = try score(try generate(n, &randomGenerator), sign: 1, updateCritic: true).mean
        cOptimizer.step()
        if let clip = spec.clip { cOptimizer.clampParameters(Float(clip)) }
        if iteration % spec.criticSteps == 0 {
            gOptimizer.zeroGrad()
            let (mean, gradFake) = try score(try generate(n, &randomGenerator), sign: -1, updateCritic: false)
            _ = try generatorNetwork.backward(gradFake)
            gOptimizer.step()
            lastGeneratorLoss = -mean
        }
        iteration += 1
        return ["critic": -real + fakeScore, "generator": lastGeneratorLoss]
    }

    /// The last generator loss, repeated in the history until the generator steps again.
    public var carriedValues: [String: [Float]] { ["last_generator_loss": [lastGeneratorLoss]] }

    /// Continues the critic/generator schedule after `steps` iterations.
    public func resume(afterSteps steps: Int, carried: [String: [Float]]) {
        iteration = steps
        lastGeneratorLoss = carried["last_generator_loss"]?.first ?? 0
    }

    public func samples(holdout: Tensor, noise fixed: Tensor) throws(ShapeError) -> Tensor {
        try evaluating { () throws(ShapeError) -> Tensor in try generatorNetwork.forward(fixed) }
    }
}
