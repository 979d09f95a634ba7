import Foundation
import GenLabNN

/// The losses of one VAE training step.
public struct VAELosses: Equatable, Sendable {
    public var reconstruction: Float
    public var kl: Float
    /// reconstruction + β·kl
    public var total: Float
}

/// One VAE training step, as ARENA's: the encoder's output splits into [μ | log σ],
/// z = μ + exp(log σ)·ε, loss = MSE-mean(decoder(z), x) + β·mean KL(N(μ, σ²) ‖ N(0, 1)),
/// then one optimizer update of encoder and decoder together.
public final class VAEStep {
    public let encoder: Sequential
    public let decoder: Sequential
    public let latent: Int
    public var beta: Float
    public let optimizer: Optimizer
    public let reconstructionLoss = MSELoss(reduction: .mean)
    public let klLoss = GaussianKL(head: .logSigma, reduction: .mean)

    /// The decoder's output of the last step (owned by the decoder, valid until its next forward).
    public private(set) var lastReconstruction: Tensor?

    private let mu = Tensor(zeros: [0])
    private let logSigma = Tensor(zeros: [0])
    private let z = Tensor(zeros: [0])
    private let eps = Tensor(zeros: [0])
    private let gradReconstruction = Tensor(zeros: [0])
    private let gradMu = Tensor(zeros: [0])
    private let gradLogSigma = Tensor(zeros: [0])
    private let gradEncoderOutput = Tensor(zeros: [0])

    public init(encoder: Sequential, decoder: Sequential, latent: Int, beta: Float, optimizer: Optimizer) {
        self.encoder = encoder
        self.decoder = decoder
        self.latent = latent
        self.beta = beta
        self.optimizer = optimizer
    }

    /// Runs one step on `batch`, drawing ε from `generator`.
    public func callAsFunction(_ batch: Tensor, generator: inout RandomGenerator) throws(ShapeError) -> VAELosses {
        eps.resize(to: [batch.shape[0], latent])
        generator.fillNormal(eps.buffer)
        return try callAsFunction(batch, eps: eps)
    }

    /// Runs one step on `batch` with the given noise ε (batch × latent).
    public func callAsFunction(_ batch: Tensor, eps noise: Tensor) throws(ShapeError) -> VAELosses {
        let n = batch.shape[0], k = latent
        optimizer.zeroGrad()
        let encoded = try encoder.forward(batch)
        guard encoded.shape == [n, 2 * k], noise.shape == [n, k] else {
            throw ShapeError("VAE: the encoder gives \(encoded.shape.shapeDescription) and ε is \(noise.shape.shapeDescription); expected \(n)×\(2 * k) and \(n)×\(k)")
        }
        for t in [mu, logSigma, z] { t.resize(to: [n, k]) }
        for row in 0..<n {
            for j in 0..<k {
                let m = encoded[row * 2 * k + j], s = encoded[row * 2 * k + k + j]
                mu[row * k + j] = m
                logSigma[row * k + j] = s
                z[row * k + j] = m + Foundation.exp(s) * noise[row * k + j]
            }
        }
        let reconstruction = try decoder.forward(z)
        lastReconstruction = reconstruction
        let rec = try reconstructionLoss.forward(reconstruction, batch)
        let kl = try klLoss.forward(mu: mu, scale: logSigma)

        try reconstructionLoss.backward(reconstruction, batch, into: gradReconstruction)
        let gradZ = try decoder.backward(gradReconstruction)
        try klLoss.backward(mu: mu, scale: logSigma, factor: beta, gradMu: gradMu, gradScale: gradLogSigma)
        gradEncoderOutput.resize(to: [n, 2 * k])
        for row in 0..<n {
            for j in 0..<k {
                let i = row * k + j, gz = gradZ[i]
                gradEncoderOutput[row * 2 * k + j] = gz + gradMu[i]
                gradEncoderOutput[row * 2 * k + k + j] = gz * noise[i] * Foundation.exp(logSigma[i]) + gradLogSigma[i]
            }
        }
        _ = try encoder.backward(gradEncoderOutput)
        optimizer.step()
        return VAELosses(reconstruction: rec, kl: kl, total: rec + beta * kl)
    }
}
