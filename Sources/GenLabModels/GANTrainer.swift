import GenLabNN
import GenLabSpec

/// GAN training as the lab's DCGAN: per iteration, `d_steps` discriminator updates on the
/// real batch (target 1) and a separate fake batch G(z) (target 0, G not updated), then
/// `g_steps` generator updates through D with the targets flipped to 1 (the first on the
/// last fake batch, or on fresh noise with `generator_noise: fresh`; further ones on fresh
/// noise). BCE on probabilities or with logits.
public final class GANTrainer: AdversarialTrainer {
    public let model: BuiltModel
    public let lossNames = ["d_real", "d_fake", "generator"]
    let pair: AdversarialPair
    private let ones = Tensor(zeros: [0])
    private let zeros = Tensor(zeros: [0])
    private let gradOutput = Tensor(zeros: [0])

    init(_ model: BuiltModel, _ networks: AdversarialNetworks) {
        self.model = model
        pair = AdversarialPair(model, networks)
    }

    public var optimizers: [String: Optimizer] { pair.optimizers }
    public var sampleNoiseShape: [Int]? { pair.noiseShape }

    /// D's loss for `input` against a constant target, back-propagated through D.
    private func discriminate(_ input: Tensor, target: Tensor, updateD: Bool) throws(ShapeError) -> (loss: Float, gradInput: Tensor) {
        let output = try pair.opponent.forward(input)
        let value: Float
        switch pair.spec.loss {
        case .bce:
            value = try BCELoss().forward(output, target)
            try BCELoss().backward(output, target, into: gradOutput)
        case .bceLogits:
            value = try BCEWithLogitsLoss().forward(output, target)
            try BCEWithLogitsLoss().backward(output, target, into: gradOutput)
        }
        return (value, try pair.opponent.backward(gradOutput, accumulateParameterGradients: updateD))
    }

    public func step(_ batch: Tensor, drawing source: inout NoiseSource) throws(ShapeError) -> [String: Float] {
        let n = batch.shape[0]
        for t in [ones, zeros] { t.resize(to: [n, 1]) }
        ones.fill(1)
        zeros.fill(0)
        let dOptimizer = pair.opponentOptimizer, gOptimizer = pair.generatorOptimizer
        var dReal: Float = 0, dFake: Float = 0, gLoss: Float = 0
        var fake = batch
        for _ in 0..<pair.spec.dSteps {
            dOptimizer.zeroGrad()
            dReal = try discriminate(batch, target: ones, updateD: true).loss
            fake = try pair.fakeBatch(n, &source)
            dFake = try discriminate(fake, target: zeros, updateD: true).loss
            dOptimizer.step()
        }
        for g in 0..<pair.spec.gSteps {
            gOptimizer.zeroGrad()
            if g > 0 || pair.spec.generatorNoise == .fresh { fake = try pair.fakeBatch(n, &source) }
            let (loss, gradFake) = try generatorLoss(fake)
            gLoss = loss
            _ = try pair.generator.backward(gradFake)
            gOptimizer.step()
        }
        return ["d_real": dReal, "d_fake": dFake, "generator": gLoss]
    }

    public func generatorLoss(_ fake: Tensor) throws(ShapeError) -> (loss: Float, gradInput: Tensor) {
        ones.resize(to: [fake.shape.first ?? 0, 1])
        ones.fill(1)
        return try discriminate(fake, target: ones, updateD: false)
    }

    public func samples(holdout: Tensor, noise fixed: Tensor) throws(ShapeError) -> Tensor {
        try evaluating { () throws(ShapeError) -> Tensor in try pair.generator.forward(fixed) }
    }
}
