import GenLabNN
import GenLabSpec

/// GAN training as the lab's DCGAN: per iteration, `d_steps` discriminator updates on the
/// real batch (target 1) and a separate fake batch G(z) (target 0, G not updated), then
/// `g_steps` generator updates through D with the targets flipped to 1 (the first on the
/// last fake batch, further ones on fresh noise). BCE on probabilities or with logits.
public final class GANTrainer: Trainer {
    public let model: BuiltModel
    public let optimizers: [String: Optimizer]
    public let lossNames = ["d_real", "d_fake", "generator"]
    public let sampleNoiseShape: [Int]?

    let spec: AdversarialSpec
    let generatorNetwork: Sequential
    let discriminator: Sequential

    private let noise = Tensor(zeros: [0])
    private let ones = Tensor(zeros: [0])
    private let zeros = Tensor(zeros: [0])
    private let gradOutput = Tensor(zeros: [0])

    public init(_ model: BuiltModel) {
        self.model = model
        spec = model.experiment.model.adversarial!
        let g = model.network("generator")!, d = model.network("discriminator")!
        generatorNetwork = g.network
        discriminator = d.network
        sampleNoiseShape = g.inputShape
        let train = model.experiment.train
        optimizers = [
            "generator": TrainerFactory.optimizer(train.optimizers["generator"], g.network.parameters),
            "discriminator": TrainerFactory.optimizer(train.optimizers["discriminator"], d.network.parameters),
        ]
    }

    /// D's loss for `input` against a constant target, back-propagated through D.
    private func discriminate(_ input: Tensor, target: Tensor, updateD: Bool) throws(ShapeError) -> (loss: Float, gradInput: Tensor) {
        let output = try discriminator.forward(input)
        let value: Float
        switch spec.loss {
        case .bce:
            value = try BCELoss().forward(output, target)
            try BCELoss().backward(output, target, into: gradOutput)
        case .bceLogits:
            value = try BCEWithLogitsLoss().forward(output, target)
            try BCEWithLogitsLoss().backward(output, target, into: gradOutput)
        }
        return (value, try discriminator.backward(gradOutput, accumulateParameterGradients: updateD))
    }

    private func generate(_ n: Int, _ randomGenerator: inout RandomGenerator) throws(ShapeError) -> Tensor {
        noise.resize(to: [n] + (sampleNoiseShape ?? []))
        randomGenerator.fillNormal(noise.buffer)
        return try generatorNetwork.forward(noise)
    }

    public func step(_ batch: Tensor, labels: [Int32], generator randomGenerator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        let n = batch.shape[0]
        for t in [ones, zeros] { t.resize(to: [n, 1]) }
        ones.fill(1)
        zeros.fill(0)
        let dOptimizer = optimizers["discriminator"]!, gOptimizer = optimizers["generator"]!
        var dReal: Float = 0, dFake: Float = 0, gLoss: Float = 0
        var fake = batch
        for _ in 0..<spec.dSteps {
            dOptimizer.zeroGrad()
            dReal = try discriminate(batch, target: ones, updateD: true).loss
            fake = try generate(n, &randomGenerator)
            dFake = try discriminate(fake, target: zeros, updateD: true).loss
            dOptimizer.step()
        }
        for g in 0..<spec.gSteps {
            gOptimizer.zeroGrad()
            if g > 0 { fake = try generate(n, &randomGenerator) }
            let (loss, gradFake) = try discriminate(fake, target: ones, updateD: false)
            gLoss = loss
            _ = try generatorNetwork.backward(gradFake)
            gOptimizer.step()
        }
        return ["d_real": dReal, "d_fake": dFake, "generator": gLoss]
    }

    public func samples(holdout: Tensor, noise fixed: Tensor) throws(ShapeError) -> Tensor {
        try evaluating { () throws(ShapeError) -> Tensor in try generatorNetwork.forward(fixed) }
    }
}
