import Foundation
import GenLabNN
import GenLabSpec

/// A VAE / β-VAE or CVAE (`kind: vae`, `cvae`), as the notebooks define it.
///
/// The encoder gives μ and a scale head s (log σ, or log σ² for `log_variance`; one per latent
/// dimension, or one shared when isotropic), from one joint head or two separate ones. A
/// CVAE appends the one-hot label to the flattened image and to z.
public final class VAEModel: LatentModel {
    public let model: BuiltModel
    public let latentSizes: [Int]
    public let classes: Int
    let spec: AutoencoderSpec
    let networks: AutoencoderNetworks
    let latent: Int
    let split: ColumnSplit
    let condition: OneHotConcat
    /// μ and the scale head of the last `posterior`.
    let mu = Tensor(zeros: [0]), scale = Tensor(zeros: [0])
    private let flat = Tensor(zeros: [0]), decoderInput = Tensor(zeros: [0])

    init(_ model: BuiltModel, _ networks: AutoencoderNetworks) {
        self.model = model
        self.networks = networks
        spec = model.experiment.model.autoencoder!
        latent = model.experiment.model.latent
        latentSizes = [latent]
        classes = spec.classes
        split = ColumnSplit(latent, spec.posterior == .isotropic ? 1 : latent)
        condition = OneHotConcat(classes: classes)
    }

    /// The encoder's input: the batch, or for a CVAE the flattened batch with the one-hot
    /// label appended.
    func encoderInput(_ batch: Tensor, labels: [Int32]) throws(ShapeError) -> Tensor {
        guard classes > 0 else { return batch }
        try condition.forward(batch, labels: labels, into: flat)
        return flat
    }

    /// μ and the scale head of `input`, from the joint head or the two separate heads.
    func posterior(_ input: Tensor) throws(ShapeError) {
        let encoded = try networks.encoder.network.forward(input)
        if let heads = networks.heads {
            mu.copy(from: try heads.mu.network.forward(encoded))
            scale.copy(from: try heads.scale.network.forward(encoded))
        } else {
            try split.forward(encoded, into: mu, scale)
        }
    }

    /// The decoder's output for z (with a CVAE's labels appended).
    func decode(_ z: Tensor, labels: [Int32]) throws(ShapeError) -> Tensor {
        guard classes > 0 else { return try networks.decoder.network.forward(z) }
        try condition.forward(z, labels: labels, into: decoderInput)
        return try networks.decoder.network.forward(decoderInput)
    }

    public func encode(_ images: Tensor, labels: [Int32]) throws(ShapeError) -> [Posterior] {
        try evaluating { () throws(ShapeError) -> [Posterior] in
            try posterior(try encoderInput(images, labels: labels))
            let logSigma = Tensor(zeros: mu.shape)
            let width = scale.shape[1]
            for i in 0..<mu.shape[0] {
                for j in 0..<latent { logSigma[i * latent + j] = spec.scaleHead.logSigma(scale[i * width + (width == 1 ? 0 : j)]) }
            }
            return [Posterior(mu: mu.clone(), logSigma: logSigma)]
        }
    }

    public func decode(_ latent: Tensor, labels: [Int32], level: Int) throws(ShapeError) -> Tensor {
        try checkLevel(level)
        return try evaluating { () throws(ShapeError) -> Tensor in try decode(latent, labels: labels) }
    }
}

/// VAE and CVAE training: z = μ + σ·ε with n samples of ε; loss = reconstruction (mean, or
/// sum averaged over the samples) + β·KL (closed form, or Monte Carlo with the same ε), or
/// for β-TCVAE (`tc`) + MI + β·TC + dimension-wise KL of the same z, the three recorded. One
/// optimizer ("model") updates every parameter.
public final class VAETrainer: Trainer {
    public let vae: VAEModel
    public var generative: any GenerativeModel { vae }
    public let optimizers: [String: Optimizer]
    public let lossNames: [String]
    private var spec: AutoencoderSpec { vae.spec }
    private let optimizer: Optimizer
    private let reparameterization: Reparameterization

    private let corrupted = Tensor(zeros: [0])
    private let eps = Tensor(zeros: [0]), z = Tensor(zeros: [0])
    private let target = Tensor(zeros: [0])
    private let gradReconstruction = Tensor(zeros: [0]), gradZ = Tensor(zeros: [0])
    private let gradMu = Tensor(zeros: [0]), gradScale = Tensor(zeros: [0])
    private let gradKLMu = Tensor(zeros: [0]), gradKLScale = Tensor(zeros: [0])
    private let gradEncoderOutput = Tensor(zeros: [0])
    /// The decoder's output of the last step (valid until the decoder's next forward).
    public private(set) var lastReconstruction: Tensor?

    init(_ vae: VAEModel) {
        self.vae = vae
        reparameterization = Reparameterization(head: vae.spec.scaleHead)
        optimizer = Optimizers.model(vae.model)
        optimizers = ["model": optimizer]
        lossNames = ["reconstruction", "kl"] + (vae.spec.tc == nil ? [] : ["mutual_information", "total_correlation", "dimension_kl"]) + ["total"]
    }

    /// β-TCVAE's KL term, when the model has `tc`.
    private var totalCorrelation: TotalCorrelationKL? {
        spec.tc.map { TotalCorrelationKL(weight: Float($0.weight), estimator: $0.estimator, datasetSize: $0.datasetSize, head: spec.klScaleHead, reduction: spec.reduction) }
    }

    private var closedFormKL: GaussianKL { GaussianKL(head: spec.klScaleHead, reduction: spec.reduction) }
    private var monteCarloKL: MonteCarloKL { MonteCarloKL(head: spec.klScaleHead, reduction: spec.reduction) }

    public func step(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        try step(batch, labels: labels, generator: &generator, eps: nil, update: true)
    }

    public func validate(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator) throws(ShapeError) -> [String: Float] {
        try vae.evaluating { () throws(ShapeError) -> [String: Float] in
            try step(batch, labels: labels, generator: &generator, eps: nil, update: false)
        }
    }

    /// One step with the given ε (samples × batch × latent) instead of drawn noise, as the
    /// PyTorch reference step fixes it.
    public func step(_ batch: Tensor, labels: [Int32], eps given: Tensor) throws(ShapeError) -> [String: Float] {
        var unused = RandomGenerator(seed: 0)
        return try step(batch, labels: labels, generator: &unused, eps: given, update: true)
    }

    /// The losses of `batch`; with `update`, back-propagated and the optimizer stepped.
    private func step(_ batch: Tensor, labels: [Int32], generator: inout RandomGenerator, eps given: Tensor?,
                      update: Bool) throws(ShapeError) -> [String: Float] {
        optimizer.zeroGrad()
        let n = batch.shape[0], samples = spec.samples, latent = vae.latent, classes = vae.classes
        let (mu, scale) = (vae.mu, vae.scale)
        var input = batch
        if let corruption = spec.corruption {
            corruption.apply(to: batch, into: corrupted, noise: eps, generator: &generator)
            input = corrupted
        }
        try vae.posterior(try vae.encoderInput(input, labels: labels))
        eps.resize(to: [samples, n, latent])
        if let given {
            guard given.count == eps.count else {
                throw ShapeError("ε has \(given.count) values, the step needs \(samples)×\(n)×\(latent)")
            }
            eps.data.update(from: given.data, count: eps.count)
        } else {
            generator.fillNormal(eps.buffer)
        }
        try reparameterization.forward(mu: mu, scale: scale, eps: eps, into: z)
        let output = try vae.decode(z, labels: Array(repeatElement(labels, count: classes > 0 ? samples : 0).joined()))
        lastReconstruction = output
        // a sum over pixels is averaged over the samples of z; a mean already is
        let sampleScale: Float = spec.reduction == .sum ? 1 / Float(samples) : 1
        let target = try repeated(batch, times: samples)
        let reconstruction = try model.reconstruct(output, target, scale: sampleScale, gradOutput: gradReconstruction)
        let beta = Float(spec.beta)
        var losses: [String: Float]
        if let tc = totalCorrelation {
            let terms = try tc.forward(mu: mu, scale: scale, eps: eps)
            losses = ["reconstruction": reconstruction, "kl": terms.kl, "mutual_information": terms.mutualInformation,
                      "total_correlation": terms.totalCorrelation, "dimension_kl": terms.dimensionKL,
                      "total": reconstruction + terms.mutualInformation + tc.weight * terms.totalCorrelation + terms.dimensionKL]
        } else {
            let kl = spec.kl == .closedForm ? try closedFormKL.forward(mu: mu, scale: scale) : try monteCarloKL.forward(mu: mu, scale: scale, eps: eps)
            losses = ["reconstruction": reconstruction, "kl": kl, "total": reconstruction + beta * kl]
        }
        guard update else { return losses }
        if let tc = totalCorrelation {
            try tc.backward(mu: mu, scale: scale, eps: eps, gradMu: gradKLMu, gradScale: gradKLScale)
        } else if spec.kl == .closedForm {
            try closedFormKL.backward(mu: mu, scale: scale, factor: beta, gradMu: gradKLMu, gradScale: gradKLScale)
        } else {
            try monteCarloKL.backward(mu: mu, scale: scale, eps: eps, factor: beta, gradMu: gradKLMu, gradScale: gradKLScale)
        }
        var gradDecoderInput = try vae.networks.decoder.network.backward(gradReconstruction)
        if classes > 0 {
            try vae.condition.backward(gradDecoderInput, features: latent, into: gradZ)
            gradDecoderInput = gradZ
        }
        for (gradient, shape) in [(gradMu, mu.shape), (gradScale, scale.shape)] {
            gradient.resize(to: shape)
            gradient.fill(0)
        }
        try reparameterization.backward(gradZ: gradDecoderInput, mu: mu, scale: scale, eps: eps, addingTo: gradMu, gradScale)
        for i in 0..<gradMu.count { gradMu[i] += gradKLMu[i] }
        for i in 0..<gradScale.count { gradScale[i] += gradKLScale[i] }
        try posteriorBackward()
        optimizer.step()
        return losses
    }

    /// Back-propagates ∂μ and ∂scale through the heads and the encoder.
    private func posteriorBackward() throws(ShapeError) {
        if let heads = vae.networks.heads {
            gradEncoderOutput.copy(from: try heads.mu.network.backward(gradMu))
            let fromScale = try heads.scale.network.backward(gradScale)
            for i in 0..<gradEncoderOutput.count { gradEncoderOutput[i] += fromScale[i] }
        } else {
            try vae.split.backward(gradMu, gradScale, into: gradEncoderOutput)
        }
        _ = try vae.networks.encoder.network.backward(gradEncoderOutput)
    }

    /// The batch repeated `times` times along the batch dimension (itself when once).
    private func repeated(_ batch: Tensor, times: Int) throws(ShapeError) -> Tensor {
        guard times > 1 else { return batch }
        target.resize(to: [times * batch.shape[0]] + Array(batch.shape.dropFirst()))
        for t in 0..<times { (target.data + t * batch.count).update(from: batch.data, count: batch.count) }
        return target
    }
}

/// `kind: vae` and `kind: cvae` (a CVAE's `classes` make it conditional).
struct VAEKind: EncoderDecoderKind {
    func generativeModel(_ model: BuiltModel, _ networks: AutoencoderNetworks) -> any GenerativeModel { VAEModel(model, networks) }

    func trainer(_ model: BuiltModel, _ networks: AutoencoderNetworks) -> any Trainer { VAETrainer(VAEModel(model, networks)) }
}
