import Foundation
import GenLabNN
import GenLabSpec

/// AE, denoising and sparse AE, VAE / β-VAE and CVAE training, as the notebooks define it.
///
/// VAE: the encoder's head gives μ and a scale s (log σ, or log σ² for `log_variance`),
/// one per latent dimension or one shared (isotropic); z = μ + σ·ε with n samples of ε;
/// loss = reconstruction (MSE, BCE or Gaussian with fixed or learned σx; mean or sum, the sum
/// averaged over the n samples) + β·KL (closed form, or Monte Carlo with the same ε). CVAE:
/// the one-hot label joins the flattened image at the encoder's input and z at the decoder's.
/// One optimizer ("model") updates every parameter.
public final class AutoencoderTrainer: LatentEncoder {
    public let model: BuiltModel
    public let optimizers: [String: Optimizer]
    public let lossNames: [String]
    public var sampleNoiseShape: [Int]? { kind == .cvae ? [latent] : nil }

    let spec: AutoencoderSpec
    let kind: ModelSpec.Kind
    let latent: Int
    let scaleWidth: Int
    let encoder: Sequential
    let muHead: Sequential?
    let scaleHead: Sequential?
    let decoder: Sequential

    private let encoderInput = Tensor(zeros: [0])
    private let mu = Tensor(zeros: [0])
    private let scale = Tensor(zeros: [0])
    private let eps = Tensor(zeros: [0])
    private let decoderInput = Tensor(zeros: [0])
    private let target = Tensor(zeros: [0])
    private let gradReconstruction = Tensor(zeros: [0])
    private let gradMu = Tensor(zeros: [0])
    private let gradScale = Tensor(zeros: [0])
    private let gradKLMu = Tensor(zeros: [0])
    private let gradKLScale = Tensor(zeros: [0])
    private let gradEncoderOutput = Tensor(zeros: [0])
    /// The decoder's output of the last step (valid until the decoder's next forward).
    public private(set) var lastReconstruction: Tensor?

    public init(_ model: BuiltModel) {
        self.model = model
        kind = model.experiment.model.kind
        spec = model.experiment.model.autoencoder!
        latent = model.experiment.model.latent
        scaleWidth = spec.posterior == .isotropic ? 1 : latent
        encoder = model.network("encoder")!.network
        muHead = model.network("mu_head")?.network
        scaleHead = model.network("scale_head")?.network
        decoder = model.network("decoder")!.network
        optimizers = ["model": TrainerFactory.modelOptimizer(model)]
        var names = ["reconstruction"]
        if kind.isVariational { names.append("kl") }
        if spec.sparsity > 0 { names.append("sparsity") }
        lossNames = names + ["total"]
    }

    // MARK: losses

    private var reconstructionScale: Float {
        kind.isVariational && spec.reduction == .sum ? 1 / Float(spec.samples) : 1
    }

    private var logSigmaX: Float {
        if case .fixed(let sigma) = spec.sigmaX { return Float(Foundation.log(sigma)) }
        return model.logSigmaX?.value[0] ?? 0
    }

    private func reconstructionLoss(_ output: Tensor, _ target: Tensor) throws(ShapeError) -> Float {
        let reduction: Reduction = spec.reduction == .sum ? .sum : .mean
        switch spec.likelihood {
        case .mse: return try MSELoss(reduction: reduction).forward(output, target)
        case .bce: return try BCELoss(reduction: reduction).forward(output, target)
        case .gaussian: return try GaussianNLLLoss(reduction: reduction).forward(output, target, logSigmaX: logSigmaX)
        }
    }

    private func reconstructionBackward(_ output: Tensor, _ target: Tensor, scale: Float) throws(ShapeError) {
        let reduction: Reduction = spec.reduction == .sum ? .sum : .mean
        switch spec.likelihood {
        case .mse: try MSELoss(reduction: reduction).backward(output, target, scale: scale, into: gradReconstruction)
        case .bce: try BCELoss(reduction: reduction).backward(output, target, scale: scale, into: gradReconstruction)
        case .gaussian:
            let g = try GaussianNLLLoss(reduction: reduction).backward(output, target, logSigmaX: logSigmaX, scale: scale, into: gradReconstruction)
            if let p = model.logSigmaX { p.grad[0] += g }
        }
    }

    private var klHead: GaussianKL.ScaleHead { spec.scaleHead == .logSigma ? .logSigma : .logVariance }
    private var klReduction: Reduction { spec.reduction == .sum ? .sum : .mean }

    // MARK: the step

    public func step(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        try step(batch, labels: labels, generator: &generator, eps: nil)
    }

    /// One step with the given ε (samples × batch × latent) instead of drawn noise, as the
    /// PyTorch reference step fixes it.
    public func step(_ batch: Tensor, labels: [Int32], eps given: Tensor) throws(ShapeError) -> [String: Float] {
        var unused = RandomGenerator(seed: 0)
        return try step(batch, labels: labels, generator: &unused, eps: given)
    }

    private func step(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator, eps given: Tensor?) throws(ShapeError) -> [String: Float] {
        optimizers["model"]!.zeroGrad()
        let n = batch.shape[0]
        let input = try prepareEncoderInput(batch, labels: labels, generator: &generator)
        let encoded = try encoder.forward(input)
        var losses: [String: Float] = [:]
        if kind.isVariational {
            try splitHeads(encoded, batch: n)
            eps.resize(to: [spec.samples, n, latent])
            if let given {
                guard given.count == eps.count else {
                    throw ShapeError("ε has \(given.count) values, the step needs \(spec.samples)×\(n)×\(latent)")
                }
                eps.data.update(from: given.data, count: eps.count)
            } else {
                generator.fillNormal(eps.buffer)
            }
            fillLatentSamples(batch: n, labels: labels)
            let output = try decoder.forward(decoderInput)
            lastReconstruction = output
            let target = try repeated(batch, times: spec.samples)
            let rec = try reconstructionLoss(output, target) * reconstructionScale
            let kl = spec.kl == .closedForm
                ? try GaussianKL(head: klHead, reduction: klReduction).forward(mu: mu, scale: scale)
                : try MonteCarloKL(head: klHead, reduction: klReduction).forward(mu: mu, scale: scale, eps: eps)
            let beta = Float(spec.beta)
            losses = ["reconstruction": rec, "kl": kl, "total": rec + beta * kl]
            try reconstructionBackward(output, target, scale: reconstructionScale)
            let gradDecoderInput = try decoder.backward(gradReconstruction)
            try backwardThroughSampling(gradDecoderInput, batch: n, beta: beta)
        } else {
            decoderInput.copy(from: encoded)
            let output = try decoder.forward(decoderInput)
            lastReconstruction = output
            let rec = try reconstructionLoss(output, batch)
            try reconstructionBackward(output, batch, scale: 1)
            let gradZ = try decoder.backward(gradReconstruction)
            gradEncoderOutput.copy(from: gradZ)
            var total = rec
            losses["reconstruction"] = rec
            if spec.sparsity > 0 {
                let lambda = Float(spec.sparsity), count = Float(decoderInput.count)
                var l1: Float = 0
                for i in 0..<decoderInput.count {
                    let z = decoderInput[i]
                    l1 += abs(z)
                    gradEncoderOutput[i] += lambda * (z > 0 ? 1 : (z < 0 ? -1 : 0)) / count
                }
                losses["sparsity"] = l1 / count
                total += lambda * l1 / count
            }
            losses["total"] = total
            _ = try encoder.backward(gradEncoderOutput)
        }
        optimizers["model"]!.step()
        return losses
    }

    /// The encoder's input: the batch, corrupted for a denoising AE (unless `clean`), or
    /// flattened with the one-hot label appended for a CVAE.
    private func prepareEncoderInput(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator,
                                     clean: Bool = false) throws(ShapeError) -> Tensor {
        let n = batch.shape[0], features = batch.count / max(n, 1)
        if kind == .cvae {
            let classes = spec.classes
            guard labels.count == n else { throw ShapeError("cvae: \(labels.count) labels for \(n) images") }
            encoderInput.resize(to: [n, features + classes])
            encoderInput.fill(0)
            for i in 0..<n {
                (encoderInput.data + i * (features + classes)).update(from: batch.data + i * features, count: features)
                let label = Int(labels[i])
                guard (0..<classes).contains(label) else { throw ShapeError("cvae: label \(label) outside 0..<\(classes)") }
                encoderInput[i * (features + classes) + features + label] = 1
            }
            return encoderInput
        }
        guard let corruption = spec.corruption, !clean else { return batch }
        encoderInput.copy(from: batch)
        switch corruption {
        case .gaussian(let sigma):
            eps.resize(to: batch.shape)
            generator.fillNormal(eps.buffer, std: Float(sigma))
            for i in 0..<encoderInput.count { encoderInput[i] += eps[i] }
        case .mask(let p):
            for i in 0..<encoderInput.count where generator.nextUniform() < Float(p) { encoderInput[i] = 0 }
        }
        return encoderInput
    }

    /// μ and the scale from the encoder's output (joint head) or from the two heads.
    private func splitHeads(_ encoded: Tensor, batch n: Int) throws(ShapeError) {
        mu.resize(to: [n, latent])
        scale.resize(to: [n, scaleWidth])
        if let muHead, let scaleHead {
            mu.copy(from: try muHead.forward(encoded))
            scale.copy(from: try scaleHead.forward(encoded))
            return
        }
        let width = latent + scaleWidth
        guard encoded.shape == [n, width] else {
            throw ShapeError("the encoder gives \(encoded.shape.shapeDescription), expected \(n)×\(width)")
        }
        for i in 0..<n {
            (mu.data + i * latent).update(from: encoded.data + i * width, count: latent)
            (scale.data + i * scaleWidth).update(from: encoded.data + i * width + latent, count: scaleWidth)
        }
    }

    /// σ of latent element (i, j).
    @inline(__always)
    private func sigma(_ i: Int, _ j: Int) -> Float {
        let s = scale[i * scaleWidth + (scaleWidth == 1 ? 0 : j)]
        return Foundation.exp(spec.scaleHead == .logSigma ? s : 0.5 * s)
    }

    /// decoderInput rows sample·N + i: z = μ + σ·ε, followed by the one-hot label (CVAE).
    private func fillLatentSamples(batch n: Int, labels: [Int32]) {
        let classes = kind == .cvae ? spec.classes : 0
        let width = latent + classes
        decoderInput.resize(to: [spec.samples * n, width])
        decoderInput.fill(0)
        for sample in 0..<spec.samples {
            for i in 0..<n {
                let row = decoderInput.data + (sample * n + i) * width
                for j in 0..<latent {
                    row[j] = mu[i * latent + j] + sigma(i, j) * eps[(sample * n + i) * latent + j]
                }
                if classes > 0 { row[latent + Int(labels[i])] = 1 }
            }
        }
    }

    /// The batch repeated `times` times along the batch dimension (itself when once).
    private func repeated(_ batch: Tensor, times: Int) throws(ShapeError) -> Tensor {
        guard times > 1 else { return batch }
        target.resize(to: [times * batch.shape[0]] + Array(batch.shape.dropFirst()))
        for t in 0..<times { (target.data + t * batch.count).update(from: batch.data, count: batch.count) }
        return target
    }

    /// ∂L/∂μ and ∂L/∂scale from the decoder's input gradient (through z = μ + σ·ε) and the
    /// KL term, then back through the heads and the encoder.
    private func backwardThroughSampling(_ gradDecoderInput: Tensor, batch n: Int, beta: Float) throws(ShapeError) {
        let width = gradDecoderInput.shape[1]
        gradMu.resize(to: [n, latent])
        gradScale.resize(to: [n, scaleWidth])
        gradMu.fill(0)
        gradScale.fill(0)
        let chain: Float = spec.scaleHead == .logSigma ? 1 : 0.5
        for sample in 0..<spec.samples {
            for i in 0..<n {
                let row = gradDecoderInput.data + (sample * n + i) * width
                for j in 0..<latent {
                    let g = row[j]
                    gradMu[i * latent + j] += g
                    gradScale[i * scaleWidth + (scaleWidth == 1 ? 0 : j)] += g * eps[(sample * n + i) * latent + j] * sigma(i, j) * chain
                }
            }
        }
        if spec.kl == .closedForm {
            try GaussianKL(head: klHead, reduction: klReduction).backward(mu: mu, scale: scale, factor: beta, gradMu: gradKLMu, gradScale: gradKLScale)
        } else {
            try MonteCarloKL(head: klHead, reduction: klReduction).backward(mu: mu, scale: scale, eps: eps, factor: beta,
                                                                           gradMu: gradKLMu, gradScale: gradKLScale)
        }
        for i in 0..<gradMu.count { gradMu[i] += gradKLMu[i] }
        for i in 0..<gradScale.count { gradScale[i] += gradKLScale[i] }
        if let muHead, let scaleHead {
            let fromMu = try muHead.backward(gradMu)
            gradEncoderOutput.copy(from: fromMu)
            let fromScale = try scaleHead.backward(gradScale)
            for i in 0..<gradEncoderOutput.count { gradEncoderOutput[i] += fromScale[i] }
        } else {
            let width = latent + scaleWidth
            gradEncoderOutput.resize(to: [n, width])
            for i in 0..<n {
                (gradEncoderOutput.data + i * width).update(from: gradMu.data + i * latent, count: latent)
                (gradEncoderOutput.data + i * width + latent).update(from: gradScale.data + i * scaleWidth, count: scaleWidth)
            }
        }
        _ = try encoder.backward(gradEncoderOutput)
    }

    // MARK: recording

    public func encode(_ batch: Tensor, labels: [Int32]) throws(ShapeError) -> (mu: [Float], logSigma: [Float]) {
        try evaluating { () throws(ShapeError) -> ([Float], [Float]) in
            var unused = RandomGenerator(seed: 0)
            let n = batch.shape[0]
            let encoded = try encoder.forward(try prepareEncoderInput(batch, labels: labels, generator: &unused, clean: true))
            guard kind.isVariational else { return (encoded.values, [Float](repeating: 0, count: encoded.count)) }
            try splitHeads(encoded, batch: n)
            var logSigma = [Float](repeating: 0, count: n * latent)
            for i in 0..<n {
                for j in 0..<latent { logSigma[i * latent + j] = Foundation.log(sigma(i, j)) }
            }
            return (mu.values, logSigma)
        }
    }

    public func samples(holdout: Tensor, noise: Tensor) throws(ShapeError) -> Tensor {
        try evaluating { () throws(ShapeError) -> Tensor in
            if kind == .cvae {
                let n = noise.shape[0], classes = spec.classes
                decoderInput.resize(to: [n, latent + classes])
                decoderInput.fill(0)
                for i in 0..<n {
                    (decoderInput.data + i * (latent + classes)).update(from: noise.data + i * latent, count: latent)
                    decoderInput[i * (latent + classes) + latent + i % classes] = 1
                }
                return try decoder.forward(decoderInput)
            }
            let (codes, _) = try encode(holdout, labels: [])
            decoderInput.copy(from: try Tensor(shape: [holdout.shape[0], latent], values: codes))
            return try decoder.forward(decoderInput)
        }
    }
}
