import Foundation

/// KL(N(μ, σ²) ‖ N(0, 1)) in closed form, per latent element
/// ½(μ² + σ² − 1) − log σ, reduced by mean (over all N·K elements) or sum.
///
/// The scale head is log σ or log σ² (the lab VAE's "logvar"), of shape (N, K) for a
/// diagonal posterior or (N, 1) for an isotropic one (one σ shared by the K dimensions).
public struct GaussianKL: Sendable {
    public var head: ScaleHead
    public var reduction: Reduction

    public init(head: ScaleHead = .logSigma, reduction: Reduction = .mean) {
        self.head = head
        self.reduction = reduction
    }

    /// Checks μ (N, K) against the scale (N, K) or (N, 1); returns K and whether σ is shared.
    func layout(_ mu: Tensor, _ scale: Tensor) throws(ShapeError) -> (latent: Int, isotropic: Bool) {
        guard mu.shape.count == 2, scale.shape.count == 2, scale.shape[0] == mu.shape[0],
              scale.shape[1] == mu.shape[1] || scale.shape[1] == 1 else {
            throw ShapeError("KL: μ of shape \(mu.shape.shapeDescription) needs a scale of shape \(mu.shape.shapeDescription) or \(mu.shape.first ?? 0)×1, got \(scale.shape.shapeDescription)")
        }
        return (mu.shape[1], scale.shape[1] == 1 && mu.shape[1] != 1)
    }

    public func forward(mu: Tensor, scale: Tensor) throws(ShapeError) -> Float {
        let (k, isotropic) = try layout(mu, scale)
        var sum = 0.0
        for n in 0..<mu.shape[0] {
            for j in 0..<k {
                let m = mu[n * k + j]
                let ls = head.logSigma(isotropic ? scale[n] : scale[n * k + j])
                sum += Double(0.5 * (m * m + Foundation.exp(2 * ls) - 1) - ls)
            }
        }
        return Float(sum) * reduction.factor(of: mu)
    }

    /// Writes scale · ∂KL/∂μ into `gradMu` and scale · ∂KL/∂(scale head) into `gradScale`.
    public func backward(mu: Tensor, scale: Tensor, factor: Float = 1, gradMu: Tensor, gradScale: Tensor) throws(ShapeError) {
        let (k, isotropic) = try layout(mu, scale)
        let c = factor * reduction.factor(of: mu)
        let chain = head.chain
        gradMu.resize(to: mu.shape)
        gradScale.resize(to: scale.shape)
        gradScale.fill(0)
        for n in 0..<mu.shape[0] {
            for j in 0..<k {
                let i = n * k + j, si = isotropic ? n : i
                gradMu[i] = c * mu[i]
                let ls = head.logSigma(scale[si])
                gradScale[si] += c * chain * (Foundation.exp(2 * ls) - 1)
            }
        }
    }
}
