import GenLabNN
import GenLabSpec

/// What GAN and WGAN training share: the generator and its opponent (discriminator or
/// critic), their optimizers, and drawing fake batches.
final class AdversarialPair {
    let spec: AdversarialSpec
    let generator: Sequential
    /// The discriminator (GAN) or critic (WGAN).
    let opponent: Sequential
    /// "discriminator" or "critic": the opponent's network and optimizer name.
    let opponentName: String
    /// One noise vector's shape: G's input.
    let noiseShape: [Int]
    let generatorOptimizer: Optimizer
    let opponentOptimizer: Optimizer
    private let noise = Tensor(zeros: [0])

    init(_ model: BuiltModel, _ networks: AdversarialNetworks) {
        spec = model.experiment.model.adversarial!
        generator = networks.generator.network
        opponent = networks.opponent.network
        opponentName = networks.opponent.name
        noiseShape = networks.generator.inputShape
        let train = model.experiment.train
        generatorOptimizer = TrainerFactory.optimizer(train.optimizers["generator"], generator.parameters)
        opponentOptimizer = TrainerFactory.optimizer(train.optimizers[opponentName], opponent.parameters)
    }

    /// The optimizers by the name their state is stored under.
    var optimizers: [String: Optimizer] { ["generator": generatorOptimizer, opponentName: opponentOptimizer] }

    /// G(z) for `n` noise vectors drawn by `source`.
    func fakeBatch(_ n: Int, _ source: inout NoiseSource) throws(ShapeError) -> Tensor {
        noise.resize(to: [n] + noiseShape)
        try source.fill(noise)
        return try generator.forward(noise)
    }
}

/// A GAN or WGAN trainer: one iteration draws its fake batches' noise from a `NoiseSource`,
/// so the same iteration runs on the training's random generator or on given noise.
public protocol AdversarialTrainer: Trainer {
    /// One iteration on a real batch, the noise drawn from `source`.
    func step(_ batch: Tensor, drawing source: inout NoiseSource) throws(ShapeError) -> [String: Float]
    /// The generator's loss on `fake` images as the opponent rates them (a GAN's BCE against
    /// "real", a WGAN's −mean critic score) and its gradient with respect to `fake`; the
    /// opponent's parameter gradients are left untouched.
    func generatorLoss(_ fake: Tensor) throws(ShapeError) -> (loss: Float, gradInput: Tensor)
}

extension AdversarialTrainer {
    public func step(_ batch: Tensor, labels: [Int32], generator randomGenerator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        var source = NoiseSource.random(randomGenerator)
        defer { randomGenerator = source.generator! }
        return try step(batch, drawing: &source)
    }

    /// One iteration with the given noise tensors (one per fake batch, in the order drawn)
    /// instead of drawn noise, as the PyTorch reference steps fix them.
    public func step(_ batch: Tensor, noise: [Tensor]) throws(ShapeError) -> [String: Float] {
        var source = NoiseSource.given(noise)
        return try step(batch, drawing: &source)
    }
}

/// Where the noise of fake batches comes from: the training's random generator, or tensors
/// given in order (the PyTorch reference steps fix them).
public enum NoiseSource {
    case random(RandomGenerator)
    case given([Tensor])

    /// Fills `noise` with the next draw.
    public mutating func fill(_ noise: Tensor) throws(ShapeError) {
        switch self {
        case .random(var generator):
            generator.fillNormal(noise.buffer)
            self = .random(generator)
        case .given(var tensors):
            guard let next = tensors.first else { throw ShapeError("the step needs more noise tensors than were given") }
            guard next.shape == noise.shape else {
                throw ShapeError("given noise \(next.shape.shapeDescription), the step needs \(noise.shape.shapeDescription)")
            }
            noise.copy(from: next)
            tensors.removeFirst()
            self = .given(tensors)
        }
    }

    /// The random generator after the draws (nil for given noise).
    public var generator: RandomGenerator? {
        if case .random(let generator) = self { return generator }
        return nil
    }
}
