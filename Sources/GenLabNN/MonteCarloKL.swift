import Foundation

/// KL(q ‖ N(0, 1)) estimated with S reparameterised samples z = μ + σ·ε of
/// q = N(μ, σ²): the mean over samples of log q(z) − log p(z) =
/// Σ_k [½ z_k² − ½ ε_k² − log σ_k] (the log 2π terms cancel), reduced over N·K by
/// mean or sum. Gradients are pathwise (ε fixed): ∂/∂μ = z, ∂/∂log σ = z·σ·ε − 1.
///
/// μ is (N, K); the scale head is (N, K) or (N, 1) as in `GaussianKL`; ε is (S, N, K).
public struct MonteCarloKL: Sendable {
    public var closedForm: GaussianKL

    public init(head: ScaleHead = .logSigma, reduction: Reduction = .mean) {
        closedForm = GaussianKL(head: head, reduction: reduction)
    }

    private func samples(_ mu: Tensor, _ eps: Tensor) throws(ShapeError) -> Int {
        guard eps.shape.count == 3, Array(eps.shape.dropFirst()) == mu.shape, eps.shape[0] > 0 else {
            throw ShapeError("Monte-Carlo KL: ε must be (samples, \(mu.shape.shapeDescription.replacingOccurrences(of: "×", with: ", "))), got \(eps.shape.shapeDescription)")
        }
        return eps.shape[0]
    }

    public func forward(mu: Tensor, scale: Tensor, eps: Tensor) throws(ShapeError) -> Float {
        let (k, isotropic) = try closedForm.layout(mu, scale)
        let s = try samples(mu, eps)
        var sum = 0.0
        for sample in 0..<s {
            for n in 0..<mu.shape[0] {
                for j in 0..<k {
                    let i = n * k + j
                    let ls = closedForm.head.logSigma(isotropic ? scale[n] : scale[i])
                    let e = eps[sample * mu.count + i]
                    let z = mu[i] + Foundation.exp(ls) * e
                    sum += Double(0.5 * z * z - 0.5 * e * e - ls)
                }
            }
        }
        return Float(sum / Double(s)) * closedForm.reduction.factor(of: mu)
    }

    /// Writes factor · ∂KL/∂μ into `gradMu` and factor · ∂KL/∂(scale head) into `gradScale`.
    public func backward(mu: Tensor, scale: Tensor, eps: Tensor, factor: Float = 1,
                         gradMu: Tensor, gradScale: Tensor) throws(ShapeError) {
        let (k, isotropic) = try closedForm.layout(mu, scale)
        let s = try samples(mu, eps)
        let c = factor * closedForm.reduction.factor(of: mu) / Float(s)
        let chain = closedForm.head.chain
        gradMu.resize(to: mu.shape)
        gradScale.resize(to: scale.shape)
        gradMu.fill(0)
        gradScale.fill(0)
        for sample in 0..<s {
            for n in 0..<mu.shape[0] {
                for j in 0..<k {
                    let i = n * k + j, si = isotropic ? n : i
                    let sigma = Foundation.exp(closedForm.head.logSigma(scale[si]))
                    let e = eps[sample * mu.count + i]
                    let z = mu[i] + sigma * e
                    gradMu[i] += c * z
                    gradScale[si] += c * chain * (z * sigma * e - 1)
                }
            }
        }
    }
}
