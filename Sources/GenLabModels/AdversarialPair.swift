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
    let optimizers: [String: Optimizer]
    private let noise = Tensor(zeros: [0])

    init(_ model: BuiltModel, opponent name: String) {
        spec = model.experiment.model.adversarial!
        let g = model.network("generator")!, d = model.network(name)!
        generator = g.network
        opponent = d.network
        opponentName = name
        noiseShape = g.inputShape
        let train = model.experiment.train
        optimizers = [
            "generator": TrainerFactory.optimizer(train.optimizers["generator"], g.network.parameters),
            name: TrainerFactory.optimizer(train.optimizers[name], d.network.parameters),
        ]
    }

    var generatorOptimizer: Optimizer { optimizers["generator"]! }
    var opponentOptimizer: Optimizer { optimizers[opponentName]! }

    /// G(z) for `n` fresh noise vectors from `randomGenerator`.
    func fakeBatch(_ n: Int, _ randomGenerator: inout RandomGenerator) throws(ShapeError) -> Tensor {
        noise.resize(to: [n] + noiseShape)
        randomGenerator.fillNormal(noise.buffer)
        return try generator.forward(noise)
    }
}
