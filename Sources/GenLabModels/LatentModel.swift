import Foundation
import GenLabNN

/// A Gaussian posterior q(z | ·) of a batch: μ and log σ, each N × K (an AE's code is its μ,
/// with log σ = 0).
public struct Posterior {
    public var mu: Tensor
    public var logSigma: Tensor
}

/// A trained or training autoencoder seen from outside: images to latents and back. The
/// recorder, the analyses and the Python reader's counterpart use this, never the networks.
public protocol LatentModel: GenerativeModel {
    /// The size of each latent level, lowest first: [latent], or [latent, latent2] for a
    /// hierarchical VAE.
    var latentSizes: [Int] { get }
    /// q(z | x) of each level, lowest first, in evaluation mode (a hierarchical VAE's upper
    /// level is q(z2 | z1 = μ1)); `labels` are used by a CVAE only.
    func encode(_ images: Tensor, labels: [Int32]) throws(ShapeError) -> [Posterior]
    /// Images (normalised space) decoded from latents of `level` in evaluation mode: level 0
    /// is z (a hierarchical VAE's z1); level 1 is a hierarchical VAE's z2, decoded through
    /// the prior's mean of z1. `labels` are used by a CVAE only.
    func decode(_ latent: Tensor, labels: [Int32], level: Int) throws(ShapeError) -> Tensor
}

extension LatentModel {
    /// Whether reconstructions decode z = μ + σ·ε rather than μ (`record.samples.latent`).
    var reconstructsFromSample: Bool { model.experiment.record.samples?.latent == .sample }

    /// A CVAE's prior draws, or the ε of sampled reconstructions: one latent vector per
    /// sample; nil when samples decode μ.
    public var sampleNoiseShape: [Int]? { classes > 0 || reconstructsFromSample ? [latentSizes[0]] : nil }

    /// Reconstructions of `holdout` from z = μ (or z = μ + σ·ε with ε the first rows of
    /// `noise`, for `latent: sample`), or for a CVAE decodings of `noise` with labels 0, 1,
    /// …, classes − 1, 0, …
    public func samples(holdout: Tensor, noise: Tensor) throws(ShapeError) -> Tensor {
        if classes > 0 { return try decode(noise, labels: sampleLabels(count: noise.shape.first ?? 0), level: 0) }
        let posterior = try encode(holdout, labels: [])[0]
        guard reconstructsFromSample else { return try decode(posterior.mu, labels: [], level: 0) }
        let eps = Tensor(zeros: [1] + posterior.mu.shape), z = Tensor(zeros: [0])
        guard noise.count >= eps.count else {
            throw ShapeError("sampled reconstructions need \(eps.count) noise values, got \(noise.count)")
        }
        eps.data.update(from: noise.data, count: eps.count)
        try Reparameterization().forward(mu: posterior.mu, scale: posterior.logSigma, eps: eps, into: z)
        return try decode(z, labels: [], level: 0)
    }

    /// Checks that `level` is one of this model's latent levels.
    func checkLevel(_ level: Int) throws(ShapeError) {
        guard latentSizes.indices.contains(level) else {
            throw ShapeError("latent level \(level) does not exist: this model has \(latentSizes.count) (0\(latentSizes.count > 1 ? "…\(latentSizes.count - 1)" : ""))")
        }
    }
}

extension BuiltModel {
    /// The reconstruction term with the current σx (fixed, learned, or 1 for the other
    /// likelihoods).
    public var reconstructionLoss: ReconstructionLoss {
        let spec = experiment.model.autoencoder!
        var value = logSigmaX?.value[0] ?? 0
        if case .fixed(let sigma) = spec.sigmaX { value = Float(Foundation.log(sigma)) }
        return ReconstructionLoss(spec.likelihood, reduction: spec.reduction, logSigmaX: value)
    }

    /// The reconstruction loss of `output` against `target` scaled by `scale`, its gradient
    /// written into `gradOutput` and ∂/∂log σx added to the learned σx.
    func reconstruct(_ output: Tensor, _ target: Tensor, scale: Float = 1, gradOutput: Tensor) throws(ShapeError) -> Float {
        let loss = reconstructionLoss
        let value = try loss.forward(output, target) * scale
        let gradLogSigmaX = try loss.backward(output, target, scale: scale, into: gradOutput)
        if let p = logSigmaX { p.grad[0] += gradLogSigmaX }
        return value
    }
}
