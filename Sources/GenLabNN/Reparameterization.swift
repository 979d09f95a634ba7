import Foundation

/// The reparameterisation trick z = μ + σ·ε, for S samples of ε per item.
///
/// μ is (N, K); the scale head is (N, K) (diagonal posterior) or (N, 1) (isotropic: one σ
/// shared by the K dimensions), read through `head`; ε is (S, N, K); z is (S·N, K), row
/// s·N + i for sample s of item i. The backward pass is pathwise (ε fixed):
/// ∂z/∂μ = 1, ∂z/∂log σ = σ·ε.
public struct Reparameterization: Sendable {
    public var head: ScaleHead
    public init(head: ScaleHead = .logSigma) { self.head = head }

    /// Checks the shapes; returns S, N, K and the scale's width.
    private func layout(_ mu: Tensor, _ scale: Tensor, _ eps: Tensor) throws(ShapeError) -> (s: Int, n: Int, k: Int, width: Int) {
        guard mu.shape.count == 2, scale.shape.count == 2, scale.shape[0] == mu.shape[0],
              scale.shape[1] == mu.shape[1] || scale.shape[1] == 1,
              eps.shape.count == 3, Array(eps.shape.dropFirst()) == mu.shape else {
            throw ShapeError("reparameterisation: μ \(mu.shape.shapeDescription), scale \(scale.shape.shapeDescription) and ε \(eps.shape.shapeDescription) do not fit (μ N×K, scale N×K or N×1, ε S×N×K)")
        }
        return (eps.shape[0], mu.shape[0], mu.shape[1], scale.shape[1])
    }

    /// σ of latent element (i, j).
    @inline(__always)
    private func sigma(_ scale: Tensor, _ i: Int, _ j: Int, width: Int) -> Float {
        Foundation.exp(head.logSigma(scale[i * width + (width == 1 ? 0 : j)]))
    }

    /// Writes z = μ + σ·ε into `z` (S·N, K).
    public func forward(mu: Tensor, scale: Tensor, eps: Tensor, into z: Tensor) throws(ShapeError) {
        let (s, n, k, width) = try layout(mu, scale, eps)
        z.resize(to: [s * n, k])
        for sample in 0..<s {
            for i in 0..<n {
                let row = (sample * n + i) * k
                for j in 0..<k { z[row + j] = mu[i * k + j] + sigma(scale, i, j, width: width) * eps[row + j] }
            }
        }
    }

    /// Adds ∂L/∂μ and ∂L/∂(scale head) for ∂L/∂z (S·N, K) to `gradMu` and `gradScale`
    /// (which must have the shapes of μ and the scale).
    public func backward(gradZ: Tensor, mu: Tensor, scale: Tensor, eps: Tensor,
                         addingTo gradMu: Tensor, _ gradScale: Tensor) throws(ShapeError) {
        let (s, n, k, width) = try layout(mu, scale, eps)
        guard gradZ.shape == [s * n, k], gradMu.shape == mu.shape, gradScale.shape == scale.shape else {
            throw ShapeError("reparameterisation: ∂z \(gradZ.shape.shapeDescription) does not fit \(s * n)×\(k), or the gradients do not have the shapes of μ and the scale")
        }
        let chain = head.chain
        for sample in 0..<s {
            for i in 0..<n {
                let row = (sample * n + i) * k
                for j in 0..<k {
                    let g = gradZ[row + j]
                    gradMu[i * k + j] += g
                    gradScale[i * width + (width == 1 ? 0 : j)] += g * eps[row + j] * sigma(scale, i, j, width: width) * chain
                }
            }
        }
    }
}
