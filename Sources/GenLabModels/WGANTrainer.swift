import GenLabNN
import GenLabSpec

/// WGAN training as the lab's: each iteration one critic update on the real batch and a
/// fake batch, loss −mean f(x) + mean f(G(z)), then every critic parameter clipped to
/// [−c, c]; every `critic_steps` iterations (the first included) one generator update on
/// fresh noise, loss −mean f(G(z)).
public final class WGANTrainer: AdversarialTrainer {
    public let model: BuiltModel
    public let lossNames = ["critic", "generator"]
    let pair: AdversarialPair
    /// Critic updates so far (decides when the generator steps).
    private(set) var iteration = 0
    private var lastGeneratorLoss: Float = 0
    private let gradOutput = Tensor(zeros: [0])

    public init(_ model: BuiltModel) {
        self.model = model
        pair = AdversarialPair(model, opponent: "critic")
    }

    public var optimizers: [String: Optimizer] { pair.optimizers }
    public var sampleNoiseShape: [Int]? { pair.noiseShape }

    /// Mean critic score of `input`, with ∂(sign·mean)/∂input back-propagated.
    private func score(_ input: Tensor, sign: Float, updateCritic: Bool) throws(ShapeError) -> (mean: Float, gradInput: Tensor) {
        let output = try pair.opponent.forward(input)
        let n = output.count
        var sum: Double = 0
        for i in 0..<n { sum += Double(output[i]) }
        gradOutput.resize(to: output.shape)
        gradOutput.fill(sign / Float(n))
        return (Float(sum / Double(n)), try pair.opponent.backward(gradOutput, accumulateParameterGradients: updateCritic))
    }

    public func step(_ batch: Tensor, drawing source: inout NoiseSource) throws(ShapeError) -> [String: Float] {
        let n = batch.shape[0]
        let cOptimizer = pair.opponentOptimizer, gOptimizer = pair.generatorOptimizer
        cOptimizer.zeroGrad()
        let real = try score(batch, sign: -1, updateCritic: true).mean
        let fakeScore = try score(try pair.fakeBatch(n, &source), sign: 1, updateCritic: true).mean
        cOptimizer.step()
        if let clip = pair.spec.clip { cOptimizer.clampParameters(Float(clip)) }
        if iteration % pair.spec.criticSteps == 0 {
            gOptimizer.zeroGrad()
            let (mean, gradFake) = try score(try pair.fakeBatch(n, &source), sign: -1, updateCritic: false)
            _ = try pair.generator.backward(gradFake)
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
        try evaluating { () throws(ShapeError) -> Tensor in try pair.generator.forward(fixed) }
    }
}
