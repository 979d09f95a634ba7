import GenLabNN

/// The losses of one GAN iteration.
public struct GANLosses: Equatable, Sendable {
    /// D's loss on the real batch (target 1).
    public var dReal: Float
    /// D's loss on the fake batch (target 0).
    public var dFake: Float
    /// G's non-saturating loss: D's loss on the fake batch with target 1.
    public var generator: Float
}

/// One DCGAN iteration, as the lab notebook's: D on a real batch (target 1) and on a
/// separate fake batch G(z) (target 0, G not updated), one D update; then G through the
/// updated D with the targets flipped to 1, one G update. D ends in a Sigmoid and the loss
/// is BCE on probabilities.
public final class GANStep {
    public let generator: Sequential
    public let discriminator: Sequential
    /// The shape of one noise vector, as G's input (100×1×1 for the lab DCGAN).
    public let noiseShape: [Int]
    public let generatorOptimizer: Optimizer
    public let discriminatorOptimizer: Optimizer
    public let loss = BCELoss(reduction: .mean)

    private let noise = Tensor(zeros: [0])
    private let ones = Tensor(zeros: [0])
    private let zeros = Tensor(zeros: [0])
    private let gradDiscriminatorOutput = Tensor(zeros: [0])

    public init(generator: Sequential, discriminator: Sequential, noiseShape: [Int],
                generatorOptimizer: Optimizer, discriminatorOptimizer: Optimizer) {
        self.generator = generator
        self.discriminator = discriminator
        self.noiseShape = noiseShape
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
    }

    /// D's loss for `input` against a constant target, back-propagated through D.
    private func discriminate(_ input: Tensor, target: Tensor, updateD: Bool) throws(ShapeError) -> (loss: Float, gradInput: Tensor) {
        let output = try discriminator.forward(input)
        let value = try loss.forward(output, target)
        try loss.backward(output, target, into: gradDiscriminatorOutput)
        let gradInput = try discriminator.backward(gradDiscriminatorOutput, accumulateParameterGradients: updateD)
        return (value, gradInput)
    }

    /// Runs one iteration on a real batch, drawing the noise from `randomGenerator`.
    public func callAsFunction(_ real: Tensor, generator randomGenerator: inout RandomGenerator) throws(ShapeError) -> GANLosses {
        let n = real.shape[0]
        for t in [ones, zeros] { t.resize(to: [n, 1]) }
        ones.fill(1)
        zeros.fill(0)

        discriminatorOptimizer.zeroGrad()
        let dReal = try discriminate(real, target: ones, updateD: true).loss
        noise.resize(to: [n] + noiseShape)
        randomGenerator.fillNormal(noise.buffer)
        let fake = try generator.forward(noise)
        let dFake = try discriminate(fake, target: zeros, updateD: true).loss
        discriminatorOptimizer.step()

        generatorOptimizer.zeroGrad()
        let (gLoss, gradFake) = try discriminate(fake, target: ones, updateD: false)
        _ = try generator.backward(gradFake)
        generatorOptimizer.step()
        return GANLosses(dReal: dReal, dFake: dFake, generator: gLoss)
    }
}
