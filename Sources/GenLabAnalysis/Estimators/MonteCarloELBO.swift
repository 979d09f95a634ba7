import GenLabModels
import GenLabNN
import GenLabTensor

/// The ELBO of q(z) = N(μ, diag σ²) for one image under a frozen decoder, by Monte Carlo as
/// CIS-522 writes it (003): with S draws z = μ + σ·ε, the mean of log p(x|z) minus the
/// Monte-Carlo KL, the mean of log q(z) − log N(z; 0, I). Its gradient with respect to μ and
/// log σ follows the draws back through the decoder (ε fixed).
public struct MonteCarloELBO {
    public let model: LatentModel
    public let likelihood: PixelLikelihood
    /// The image (1 × image shape, normalised).
    public let x: Tensor
    /// A CVAE's label for the image.
    public let label: Int32?

    public init(model: LatentModel, likelihood: PixelLikelihood, x: Tensor, label: Int32?) {
        self.model = model
        self.likelihood = likelihood
        self.x = x
        self.label = label
    }

    /// The estimate with `draws` samples of ε from `generator`, for μ (1 × K) and log σ
    /// (1 × 1, shared, or 1 × K). With `gradients` it writes ∂(−ELBO)/∂μ and ∂(−ELBO)/∂log σ
    /// into their `grad`.
    public func value(mu: Parameter, logSigma: Parameter, draws: Int, generator: inout RandomGenerator, gradients: Bool) throws(ShapeError) -> Double {
        let eps = Tensor(zeros: [draws, 1, mu.value.count]), z = Tensor(zeros: [0])
        generator.fillNormal(eps.buffer)
        try Reparameterization().forward(mu: mu.value, scale: logSigma.value, eps: eps, into: z)
        let decoded = try model.decode(z, labels: label.map { [Int32](repeating: $0, count: draws) } ?? [], level: 0)
        let logPx = try likelihood.logLikelihood(decoded, x).reduce(0, +) / Double(draws)
        let kl = MonteCarloKL(reduction: .sum)
        let divergence = Double(try kl.forward(mu: mu.value, scale: logSigma.value, eps: eps))
        if gradients {
            let gradZ = try model.decoderGradient(try likelihood.gradient(decoded, x, scale: 1 / Float(draws)))
            try kl.backward(mu: mu.value, scale: logSigma.value, eps: eps, gradMu: mu.grad, gradScale: logSigma.grad)
            try Reparameterization().backward(gradZ: gradZ, mu: mu.value, scale: logSigma.value, eps: eps, addingTo: mu.grad, logSigma.grad)
        }
        return logPx - divergence
    }
}
