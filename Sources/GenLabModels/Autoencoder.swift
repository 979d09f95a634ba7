import GenLabNN
import GenLabSpec

/// A plain, denoising or sparse autoencoder (`kind: ae`): x → z (its code, the "μ" with
/// log σ = 0) → x̂.
public final class AutoencoderModel: LatentModel {
    public let model: BuiltModel
    public let latentSizes: [Int]
    let networks: AutoencoderNetworks

    init(_ model: BuiltModel, _ networks: AutoencoderNetworks) {
        self.model = model
        self.networks = networks
        latentSizes = [model.experiment.model.latent]
    }

    public func encode(_ images: Tensor, labels: [Int32]) throws(ShapeError) -> [Posterior] {
        try evaluating { () throws(ShapeError) -> [Posterior] in
            let code = try networks.encoder.network.forward(images).clone()
            return [Posterior(mu: code, logSigma: Tensor(zeros: code.shape))]
        }
    }

    public func decode(_ latent: Tensor, labels: [Int32], level: Int) throws(ShapeError) -> Tensor {
        try checkLevel(level)
        return try evaluating { () throws(ShapeError) -> Tensor in try networks.decoder.network.forward(latent) }
    }
}

/// Autoencoder training: loss = reconstruction of the clean batch from the (corrupted)
/// input's code z, plus λ·mean|z| for a sparse one. One optimizer ("model").
public final class AutoencoderTrainer: Trainer {
    public let autoencoder: AutoencoderModel
    public var generative: any GenerativeModel { autoencoder }
    public let optimizers: [String: Optimizer]
    public let lossNames: [String]
    let spec: AutoencoderSpec
    private let optimizer: Optimizer
    private let corrupted = Tensor(zeros: [0]), noise = Tensor(zeros: [0])
    private let z = Tensor(zeros: [0])
    private let gradReconstruction = Tensor(zeros: [0]), gradZ = Tensor(zeros: [0])

    init(_ autoencoder: AutoencoderModel) {
        self.autoencoder = autoencoder
        spec = autoencoder.model.experiment.model.autoencoder!
        optimizer = Optimizers.model(autoencoder.model)
        optimizers = ["model": optimizer]
        lossNames = ["reconstruction"] + (spec.sparsity > 0 ? ["sparsity"] : []) + ["total"]
    }

    public func step(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        try step(batch, generator: &generator, update: true)
    }

    public func validate(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        try autoencoder.evaluating { () throws(ShapeError) -> [String: Float] in try step(batch, generator: &generator, update: false) }
    }

    /// The losses of `batch`; with `update`, back-propagated and the optimizer stepped.
    private func step(_ batch: Tensor, generator: inout RandomGenerator, update: Bool) throws(ShapeError) -> [String: Float] {
        let networks = autoencoder.networks
        optimizer.zeroGrad()
        var input = batch
        if let corruption = spec.corruption {
            corruption.apply(to: batch, into: corrupted, noise: noise, generator: &generator)
            input = corrupted
        }
        z.copy(from: try networks.encoder.network.forward(input))
        let output = try networks.decoder.network.forward(z)
        let reconstruction = try model.reconstruct(output, batch, gradOutput: gradReconstruction)
        var losses = ["reconstruction": reconstruction, "total": reconstruction]
        let lambda = Float(spec.sparsity), penalty = L1Penalty()
        if spec.sparsity > 0 {
            let value = penalty.forward(z)
            losses["sparsity"] = value
            losses["total"] = reconstruction + lambda * value
        }
        guard update else { return losses }
        gradZ.copy(from: try networks.decoder.network.backward(gradReconstruction))
        if spec.sparsity > 0 { try penalty.backward(z, factor: lambda, addingTo: gradZ) }
        _ = try networks.encoder.network.backward(gradZ)
        optimizer.step()
        return losses
    }
}

/// `kind: ae`.
struct AutoencoderKind: EncoderDecoderKind {
    func generativeModel(_ model: BuiltModel, _ networks: AutoencoderNetworks) -> any GenerativeModel { AutoencoderModel(model, networks) }

    func trainer(_ model: BuiltModel, _ networks: AutoencoderNetworks) -> any Trainer { AutoencoderTrainer(AutoencoderModel(model, networks)) }
}
