import Foundation
import GenLabNN
import GenLabSpec

/// A hierarchical VAE with two stochastic layers (ARENA's bonus): q(z1 | x) from the
/// encoder, q(z2 | z1) from `encoder2`, the learned prior p(z1 | z2) from `prior`, N(0, I)
/// on z2, the decoder p(x | z1). Each head emits [μ | s] with s = log σ (or log σ² with
/// `scale_head: log_variance`); z = μ + σ·ε. Loss = reconstruction + β·(KL(q(z2 | z1) ‖
/// N(0, I)) + KL(q(z1 | x) ‖ p(z1 | z2))), both in closed form given the sampled z1 and z2,
/// with the gradients of every path (z1 feeds the decoder and encoder2, z2 the prior).
public final class HierarchicalVAETrainer: LatentEncoder {
    public let model: BuiltModel
    public let optimizers: [String: Optimizer]
    public let lossNames = ["reconstruction", "kl", "kl_z1", "kl_z2", "total"]
    public var sampleNoiseShape: [Int]? { nil }

    let spec: AutoencoderSpec
    let latent: Int
    let latent2: Int
    let encoder: Sequential
    let encoder2: Sequential
    let prior: Sequential
    let decoder: Sequential

    /// Per stochastic layer: μ, log σ, ε, z and their gradients.
    private final class Layer {
        let mu = Tensor(zeros: [0]), logSigma = Tensor(zeros: [0]), eps = Tensor(zeros: [0]), z = Tensor(zeros: [0])
        let gradMu = Tensor(zeros: [0]), gradLogSigma = Tensor(zeros: [0])
        let head = Tensor(zeros: [0])
    }
    private let q1 = Layer(), q2 = Layer(), p1 = Layer()
    private let gradReconstruction = Tensor(zeros: [0])
    private let gradKLMu = Tensor(zeros: [0]), gradKLLogSigma = Tensor(zeros: [0])

    public init(_ model: BuiltModel) {
        self.model = model
        spec = model.experiment.model.autoencoder!
        latent = model.experiment.model.latent
        latent2 = spec.hierarchy!.latent2
        encoder = model.network("encoder")!.network
        encoder2 = model.network("encoder2")!.network
        prior = model.network("prior")!.network
        decoder = model.network("decoder")!.network
        optimizers = ["model": TrainerFactory.modelOptimizer(model)]
    }

    private var chain: Float { spec.scaleHead == .logSigma ? 1 : 0.5 }
    private var reduction: Reduction { spec.reduction == .sum ? .sum : .mean }

    /// Splits a head's output [μ | s] (n × 2k) into μ and log σ.
    private func split(_ output: Tensor, into layer: Layer, width k: Int) throws(ShapeError) {
        let n = output.shape[0]
        guard output.shape == [n, 2 * k] else { throw ShapeError("hvae: a head gives \(output.shape.shapeDescription), expected \(n)×\(2 * k)") }
        layer.mu.resize(to: [n, k])
        layer.logSigma.resize(to: [n, k])
        for i in 0..<n {
            for j in 0..<k {
                layer.mu[i * k + j] = output[i * 2 * k + j]
                layer.logSigma[i * k + j] = chain * output[i * 2 * k + k + j]
            }
        }
    }

    /// z = μ + σ·ε with ε drawn from `generator`.
    private func sample(_ layer: Layer, _ generator: inout RandomGenerator) {
        layer.eps.resize(to: layer.mu.shape)
        generator.fillNormal(layer.eps.buffer)
        layer.z.resize(to: layer.mu.shape)
        for i in 0..<layer.mu.count { layer.z[i] = layer.mu[i] + Foundation.exp(layer.logSigma[i]) * layer.eps[i] }
    }

    /// The head gradient [∂μ | ∂s] from ∂μ and ∂log σ.
    private func headGradient(_ layer: Layer, width k: Int) -> Tensor {
        let n = layer.mu.shape[0]
        layer.head.resize(to: [n, 2 * k])
        for i in 0..<n {
            for j in 0..<k {
                layer.head[i * 2 * k + j] = layer.gradMu[i * k + j]
                layer.head[i * 2 * k + k + j] = chain * layer.gradLogSigma[i * k + j]
            }
        }
        return layer.head
    }

    /// Adds ∂L/∂z through z = μ + σ·ε to ∂μ and ∂log σ.
    private func throughSample(_ layer: Layer, gradZ: Tensor) {
        for i in 0..<layer.mu.count {
            layer.gradMu[i] += gradZ[i]
            layer.gradLogSigma[i] += gradZ[i] * layer.eps[i] * Foundation.exp(layer.logSigma[i])
        }
    }

    public func step(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        optimizers["model"]!.zeroGrad()
        try split(try encoder.forward(batch), into: q1, width: latent)
        sample(q1, &generator)
        try split(try encoder2.forward(q1.z), into: q2, width: latent2)
        sample(q2, &generator)
        try split(try prior.forward(q2.z), into: p1, width: latent)
        let output = try decoder.forward(q1.z)
        let rec: Float
        switch spec.likelihood {
        case .mse: rec = try MSELoss(reduction: reduction).forward(output, batch)
        case .bce: rec = try BCELoss(reduction: reduction).forward(output, batch)
        case .gaussian:
            rec = try GaussianNLLLoss(reduction: reduction).forward(output, batch, logSigmaX: logSigmaX)
        }
        let standard = GaussianKL(head: .logSigma, reduction: reduction), between = GaussianKLBetween(reduction: reduction)
        let klTop = try standard.forward(mu: q2.mu, scale: q2.logSigma)
        let klBottom = try between.forward(muQ: q1.mu, logSigmaQ: q1.logSigma, muP: p1.mu, logSigmaP: p1.logSigma)
        let beta = Float(spec.beta)

        switch spec.likelihood {
        case .mse: try MSELoss(reduction: reduction).backward(output, batch, into: gradReconstruction)
        case .bce: try BCELoss(reduction: reduction).backward(output, batch, into: gradReconstruction)
        case .gaussian:
            let g = try GaussianNLLLoss(reduction: reduction).backward(output, batch, logSigmaX: logSigmaX, into: gradReconstruction)
            if let p = model.logSigmaX { p.grad[0] += g }
        }
        let gradZ1FromDecoder = try decoder.backward(gradReconstruction)
        // KL(q1 ‖ p1): to q1's and to the prior's parameters
        try between.backward(muQ: q1.mu, logSigmaQ: q1.logSigma, muP: p1.mu, logSigmaP: p1.logSigma, factor: beta,
                             gradMuQ: q1.gradMu, gradLogSigmaQ: q1.gradLogSigma, gradMuP: p1.gradMu, gradLogSigmaP: p1.gradLogSigma)
        let gradZ2 = try prior.backward(headGradient(p1, width: latent))
        // KL(q2 ‖ N(0, I)) and the prior's pull on z2
        try standard.backward(mu: q2.mu, scale: q2.logSigma, factor: beta, gradMu: q2.gradMu, gradScale: q2.gradLogSigma)
        throughSample(q2, gradZ: gradZ2)
        let gradZ1FromEncoder2 = try encoder2.backward(headGradient(q2, width: latent2))
        throughSample(q1, gradZ: gradZ1FromDecoder)
        throughSample(q1, gradZ: gradZ1FromEncoder2)
        _ = try encoder.backward(headGradient(q1, width: latent))
        optimizers["model"]!.step()
        return ["reconstruction": rec, "kl": klTop + klBottom, "kl_z1": klBottom, "kl_z2": klTop, "total": rec + beta * (klTop + klBottom)]
    }

    private var logSigmaX: Float {
        if case .fixed(let sigma) = spec.sigmaX { return Float(Foundation.log(sigma)) }
        return model.logSigmaX?.value[0] ?? 0
    }

    public func encode(_ batch: Tensor, labels: [Int32]) throws(ShapeError) -> (mu: [Float], logSigma: [Float]) {
        try evaluating { () throws(ShapeError) -> ([Float], [Float]) in
            try split(try encoder.forward(batch), into: q1, width: latent)
            return (q1.mu.values, q1.logSigma.values)
        }
    }

    public func samples(holdout: Tensor, noise: Tensor) throws(ShapeError) -> Tensor {
        try evaluating { () throws(ShapeError) -> Tensor in
            try split(try encoder.forward(holdout), into: q1, width: latent)
            return try decoder.forward(q1.mu)
        }
    }
}
