import Foundation
import GenLabNN
import GenLabSpec

/// A hierarchical VAE with two stochastic layers (ARENA's bonus, `kind: hvae`): q(z1 | x)
/// from the encoder, q(z2 | z1) from `encoder2`, the learned prior p(z1 | z2) from `prior`,
/// N(0, I) on z2, the decoder p(x | z1). Each head emits [μ | s] with s = log σ (or log σ² with
/// `scale_head: log_variance`); z = μ + σ·ε.
public final class HierarchicalVAEModel: LatentModel {
    public let model: BuiltModel
    public let latentSizes: [Int]
    let spec: AutoencoderSpec
    let networks: AutoencoderNetworks
    let encoder2: Sequential, prior: Sequential

    /// One Gaussian of the hierarchy: its head's μ and log σ, ε, z and their gradients.
    final class Gaussian {
        let split: ColumnSplit
        let mu = Tensor(zeros: [0]), s = Tensor(zeros: [0]), logSigma = Tensor(zeros: [0])
        let eps = Tensor(zeros: [0]), z = Tensor(zeros: [0])
        let gradMu = Tensor(zeros: [0]), gradLogSigma = Tensor(zeros: [0]), gradS = Tensor(zeros: [0])
        let gradHead = Tensor(zeros: [0])
        init(width: Int) { split = ColumnSplit(width, width) }
    }
    /// q(z1 | x), q(z2 | z1) and the prior p(z1 | z2) of the last forward pass.
    let q1: Gaussian, q2: Gaussian, p1: Gaussian

    init(_ model: BuiltModel, _ networks: AutoencoderNetworks, _ hierarchy: (encoder2: BuiltNetwork, prior: BuiltNetwork)) {
        self.model = model
        self.networks = networks
        spec = model.experiment.model.autoencoder!
        let latent = model.experiment.model.latent, latent2 = hierarchy.encoder2.outputShape[0] / 2
        latentSizes = [latent, latent2]
        (encoder2, prior) = (hierarchy.encoder2.network, hierarchy.prior.network)
        (q1, q2, p1) = (Gaussian(width: latent), Gaussian(width: latent2), Gaussian(width: latent))
    }

    /// μ and log σ of a head's output [μ | s].
    func read(_ output: Tensor, into g: Gaussian) throws(ShapeError) {
        try g.split.forward(output, into: g.mu, g.s)
        g.logSigma.resize(to: g.s.shape)
        for i in 0..<g.s.count { g.logSigma[i] = spec.scaleHead.logSigma(g.s[i]) }
    }

    public func encode(_ images: Tensor, labels: [Int32]) throws(ShapeError) -> [Posterior] {
        try evaluating { () throws(ShapeError) -> [Posterior] in
            try read(try networks.encoder.network.forward(images), into: q1)
            let lower = Posterior(mu: q1.mu.clone(), logSigma: q1.logSigma.clone())
            try read(try encoder2.forward(lower.mu), into: q2)
            return [lower, Posterior(mu: q2.mu.clone(), logSigma: q2.logSigma.clone())]
        }
    }

    public func decode(_ latent: Tensor, labels: [Int32], level: Int) throws(ShapeError) -> Tensor {
        try checkLevel(level)
        return try evaluating { () throws(ShapeError) -> Tensor in
            guard level == 1 else { return try networks.decoder.network.forward(latent) }
            try read(try prior.forward(latent), into: p1)
            return try networks.decoder.network.forward(p1.mu)
        }
    }
}

/// Hierarchical VAE training: loss = reconstruction + β·(KL(q(z2 | z1) ‖ N(0, I))
/// + KL(q(z1 | x) ‖ p(z1 | z2))), both in closed form given the sampled z1 and z2, with the gradients of
/// every path (z1 feeds the decoder and encoder2, z2 the prior).
public final class HierarchicalVAETrainer: Trainer {
    public let hvae: HierarchicalVAEModel
    public var generative: any GenerativeModel { hvae }
    public let optimizers: [String: Optimizer]
    public let lossNames = ["reconstruction", "kl", "kl_z1", "kl_z2", "total"]
    private var spec: AutoencoderSpec { hvae.spec }
    private let optimizer: Optimizer

    private let reparameterization = Reparameterization(head: .logSigma)
    private let gradReconstruction = Tensor(zeros: [0])

    init(_ hvae: HierarchicalVAEModel) {
        self.hvae = hvae
        optimizer = Optimizers.model(hvae.model)
        optimizers = ["model": optimizer]
    }

    /// z = μ + σ·ε with ε drawn from `generator`.
    private func sample(_ g: HierarchicalVAEModel.Gaussian, _ generator: inout RandomGenerator) throws(ShapeError) {
        g.eps.resize(to: [1] + g.mu.shape)
        generator.fillNormal(g.eps.buffer)
        try reparameterization.forward(mu: g.mu, scale: g.logSigma, eps: g.eps, into: g.z)
    }

    /// The head gradient [∂μ | ∂s] from ∂μ and ∂log σ.
    private func headGradient(_ g: HierarchicalVAEModel.Gaussian) throws(ShapeError) -> Tensor {
        g.gradS.resize(to: g.gradLogSigma.shape)
        for i in 0..<g.gradS.count { g.gradS[i] = spec.scaleHead.chain * g.gradLogSigma[i] }
        try g.split.backward(g.gradMu, g.gradS, into: g.gradHead)
        return g.gradHead
    }

    public func step(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        try step(batch, generator: &generator, update: true)
    }

    public func validate(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        try hvae.evaluating { () throws(ShapeError) -> [String: Float] in try step(batch, generator: &generator, update: false) }
    }

    /// The losses of `batch`; with `update`, back-propagated and the optimizer stepped.
    private func step(_ batch: Tensor, generator: inout RandomGenerator, update: Bool) throws(ShapeError) -> [String: Float] {
        let (networks, encoder2, prior) = (hvae.networks, hvae.encoder2, hvae.prior)
        let (q1, q2, p1) = (hvae.q1, hvae.q2, hvae.p1)
        optimizer.zeroGrad()
        try hvae.read(try networks.encoder.network.forward(batch), into: q1)
        try sample(q1, &generator)
        try hvae.read(try encoder2.forward(q1.z), into: q2)
        try sample(q2, &generator)
        try hvae.read(try prior.forward(q2.z), into: p1)
        let output = try networks.decoder.network.forward(q1.z)
        let reconstruction = try model.reconstruct(output, batch, gradOutput: gradReconstruction)
        let reduction = spec.reduction
        let standard = GaussianKL(head: .logSigma, reduction: reduction), between = GaussianKLBetween(reduction: reduction)
        let klTop = try standard.forward(mu: q2.mu, scale: q2.logSigma)
        let klBottom = try between.forward(muQ: q1.mu, logSigmaQ: q1.logSigma, muP: p1.mu, logSigmaP: p1.logSigma)
        let beta = Float(spec.beta)
        let losses = ["reconstruction": reconstruction, "kl": klTop + klBottom, "kl_z1": klBottom, "kl_z2": klTop,
                      "total": reconstruction + beta * (klTop + klBottom)]
        guard update else { return losses }

        let gradZ1FromDecoder = try networks.decoder.network.backward(gradReconstruction)
        // KL(q1 ‖ p1): to q1's and to the prior's parameters
        try between.backward(muQ: q1.mu, logSigmaQ: q1.logSigma, muP: p1.mu, logSigmaP: p1.logSigma, factor: beta,
                             gradMuQ: q1.gradMu, gradLogSigmaQ: q1.gradLogSigma, gradMuP: p1.gradMu, gradLogSigmaP: p1.gradLogSigma)
        let gradZ2 = try prior.backward(try headGradient(p1))
        // KL(q2 ‖ N(0, I)) and the prior's pull on z2
        try standard.backward(mu: q2.mu, scale: q2.logSigma, factor: beta, gradMu: q2.gradMu, gradScale: q2.gradLogSigma)
        try reparameterization.backward(gradZ: gradZ2, mu: q2.mu, scale: q2.logSigma, eps: q2.eps, addingTo: q2.gradMu, q2.gradLogSigma)
        let gradZ1FromEncoder2 = try encoder2.backward(try headGradient(q2))
        for gradZ in [gradZ1FromDecoder, gradZ1FromEncoder2] {
            try reparameterization.backward(gradZ: gradZ, mu: q1.mu, scale: q1.logSigma, eps: q1.eps, addingTo: q1.gradMu, q1.gradLogSigma)
        }
        _ = try networks.encoder.network.backward(try headGradient(q1))
        optimizer.step()
        return losses
    }
}

/// `kind: hvae`.
struct HierarchicalVAEKind: EncoderDecoderKind {
    /// An hvae's networks always have their hierarchy (`AutoencoderNetworks.build` gives it
    /// to every spec with one); without it they are a VAE's.
    func generativeModel(_ model: BuiltModel, _ networks: AutoencoderNetworks) -> any GenerativeModel {
        guard let hierarchy = networks.hierarchy else { return VAEModel(model, networks) }
        return HierarchicalVAEModel(model, networks, hierarchy)
    }

    func trainer(_ model: BuiltModel, _ networks: AutoencoderNetworks) -> any Trainer {
        guard let hierarchy = networks.hierarchy else { return VAETrainer(VAEModel(model, networks)) }
        return HierarchicalVAETrainer(HierarchicalVAEModel(model, networks, hierarchy))
    }
}
