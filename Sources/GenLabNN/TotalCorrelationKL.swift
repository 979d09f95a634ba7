import Foundation

/// β-TCVAE's KL term (Chen et al., 2018, as their `vae_quant.py` computes it): with z the
/// one reparameterised sample of each image's q(z|x) = N(μ, σ²), the batch's q(z) and the
/// product of its marginals estimated from the batch — log q(z_i) ≈ logsumexp_j(log w_ij +
/// log q(z_i | x_j)), log Πq(z_i,d) ≈ Σ_d logsumexp_j(log w_ij + log q(z_i,d | x_j)) — the KL
/// splits into index-code mutual information log q(z|x) − log q(z), total correlation
/// log q(z) − log Πq(z_d) and dimension-wise KL log Πq(z_d) − log p(z). The objective is
/// MI + weight·TC + dimension-wise KL, each summed over the images and reduced as the
/// reconstruction is (per element of μ, like the KL). Weights w: 1/(B·N) for minibatch
/// weighted sampling; for minibatch stratified sampling, M = B − 1, 1/M everywhere but 1/N
/// in the first column, (N − M)/(N·M) in the second column and at (M − 1, 0), as Chen et
/// al.'s code writes them (its strided assignments fill columns, not the diagonal its comment
/// suggests; a batch of one image: 1/N). Gradients are pathwise (ε fixed), through z and
/// through every q(·|x_j).
///
/// μ is (B, K); the scale head (B, K) or (B, 1) as in `GaussianKL`; ε is (1, B, K).
public struct TotalCorrelationKL: Sendable {
    /// How q(z) is estimated from a minibatch.
    public enum Estimator: String, Sendable, CaseIterable {
        case minibatchWeighted = "minibatch_weighted"
        case minibatchStratified = "minibatch_stratified"
    }

    /// The three terms, reduced.
    public struct Terms: Sendable {
        public let mutualInformation: Float
        public let totalCorrelation: Float
        public let dimensionKL: Float
        /// Their sum: the Monte-Carlo estimate of KL(q(z|x) ‖ p(z)).
        public var kl: Float { mutualInformation + totalCorrelation + dimensionKL }
    }

    public var weight: Float
    public var estimator: Estimator
    /// N, the size of the dataset the batches are drawn from.
    public var datasetSize: Int
    public var closedForm: GaussianKL

    public init(weight: Float, estimator: Estimator, datasetSize: Int, head: ScaleHead = .logSigma, reduction: Reduction = .mean) {
        (self.weight, self.estimator, self.datasetSize) = (weight, estimator, datasetSize)
        closedForm = GaussianKL(head: head, reduction: reduction)
    }

    /// log w_ij of a batch of `b` images.
    func logWeights(_ b: Int) -> [Double] {
        let n = Double(datasetSize)
        guard estimator == .minibatchStratified, b > 1 else {
            return [Double](repeating: -log(Double(estimator == .minibatchStratified ? 1 : b) * n), count: b * b)
        }
        let m = b - 1, stratified = (n - Double(m)) / (n * Double(m))
        var w = [Double](repeating: 1 / Double(m), count: b * b)
        // `W.view(-1)[::M+1]` and `[1::M+1]`: a stride of B, so the first and second columns
        for i in 0..<b {
            w[i * b] = 1 / n
            w[i * b + 1] = stratified
        }
        w[(m - 1) * b] = stratified
        return w.map { log($0) }
    }

    /// What forward and backward share: z, σ, u = (z_i − μ_j)/σ_j for every pair, and the
    /// per-image log densities.
    private struct Batch {
        let b: Int, k: Int
        var z: [Double], sigma: [Double], logSigma: [Double]
        /// [i][j][d] log q(z_i,d | x_j) and its u.
        var log: [Double], u: [Double]
        /// softmax weights over j of log q(z_i) (r, [i][j]) and of each marginal (s, [i][j][d]).
        var r: [Double], s: [Double]
        var logQZ: [Double], logProduct: [Double], logConditional: [Double], logPrior: [Double]
    }

    private func batch(mu: Tensor, scale: Tensor, eps: Tensor) throws(ShapeError) -> Batch {
        let (k, isotropic) = try closedForm.layout(mu, scale)
        guard eps.shape == [1] + mu.shape else {
            throw ShapeError("total correlation: ε must be (1, \(mu.shape.shapeDescription.replacingOccurrences(of: "×", with: ", "))), got \(eps.shape.shapeDescription)")
        }
        let b = mu.shape[0], half = 0.5 * Foundation.log(2 * Double.pi)
        var batch = Batch(b: b, k: k, z: [], sigma: [], logSigma: [], log: [Double](repeating: 0, count: b * b * k),
                          u: [Double](repeating: 0, count: b * b * k), r: [], s: [Double](repeating: 0, count: b * b * k),
                          logQZ: [], logProduct: [], logConditional: [], logPrior: [])
        batch.logSigma = (0..<(b * k)).map { Double(closedForm.head.logSigma(isotropic ? scale[$0 / k] : scale[$0])) }
        batch.sigma = batch.logSigma.map { Foundation.exp($0) }
        batch.z = (0..<(b * k)).map { Double(mu[$0]) + batch.sigma[$0] * Double(eps[$0]) }
        for i in 0..<b {
            for j in 0..<b {
                for d in 0..<k {
                    let u = (batch.z[i * k + d] - Double(mu[j * k + d])) / batch.sigma[j * k + d]
                    batch.u[(i * b + j) * k + d] = u
                    batch.log[(i * b + j) * k + d] = -half - batch.logSigma[j * k + d] - 0.5 * u * u
                }
            }
        }
        let logW = logWeights(b)
        for i in 0..<b {
            let joint = (0..<b).map { j in logW[i * b + j] + (0..<k).reduce(0) { $0 + batch.log[(i * b + j) * k + $1] } }
            let (lse, weights) = TotalCorrelationKL.logSumExp(joint)
            batch.logQZ.append(lse)
            batch.r += weights
            var product = 0.0
            for d in 0..<k {
                let (marginal, dWeights) = TotalCorrelationKL.logSumExp((0..<b).map { j in logW[i * b + j] + batch.log[(i * b + j) * k + d] })
                product += marginal
                for j in 0..<b { batch.s[(i * b + j) * k + d] = dWeights[j] }
            }
            batch.logProduct.append(product)
            batch.logConditional.append((0..<k).reduce(0) { $0 + batch.log[(i * b + i) * k + $1] })
            batch.logPrior.append((0..<k).reduce(0) { $0 - half - 0.5 * batch.z[i * k + $1] * batch.z[i * k + $1] })
        }
        return batch
    }

    /// log Σ exp(x) and the softmax of x.
    static func logSumExp(_ x: [Double]) -> (Double, [Double]) {
        let top = x.max() ?? 0
        let e = x.map { Foundation.exp($0 - top) }
        let sum = e.reduce(0, +)
        return (top + Foundation.log(sum), e.map { $0 / sum })
    }

    public func forward(mu: Tensor, scale: Tensor, eps: Tensor) throws(ShapeError) -> Terms {
        let batch = try batch(mu: mu, scale: scale, eps: eps)
        let factor = Double(closedForm.reduction.factor(of: mu))
        let sum = { (terms: [Double]) in Float(terms.reduce(0, +) * factor) }
        return Terms(mutualInformation: sum(zip(batch.logConditional, batch.logQZ).map { $0 - $1 }),
                     totalCorrelation: sum(zip(batch.logQZ, batch.logProduct).map { $0 - $1 }),
                     dimensionKL: sum(zip(batch.logProduct, batch.logPrior).map { $0 - $1 }))
    }

    /// Writes factor · ∂(MI + weight·TC + dimension-wise KL)/∂μ into `gradMu` and
    /// ∂/∂(scale head) into `gradScale`.
    public func backward(mu: Tensor, scale: Tensor, eps: Tensor, factor: Float = 1,
                         gradMu: Tensor, gradScale: Tensor) throws(ShapeError) {
        let batch = try batch(mu: mu, scale: scale, eps: eps)
        let (b, k) = (batch.b, batch.k), isotropic = scale.shape[1] == 1 && k > 1
        let c = Double(factor * closedForm.reduction.factor(of: mu)), w = Double(weight)
        // ∂/∂z, ∂/∂μ and ∂/∂log σ, z's own share passed to μ and log σ at the end
        var gz = [Double](repeating: 0, count: b * k), gm = gz, gl = gz
        for i in 0..<b {
            for d in 0..<k { gz[i * k + d] += batch.z[i * k + d] }  // − log p(z)
            for j in 0..<b {
                for d in 0..<k {
                    let at = (i * b + j) * k + d
                    // the coefficient of log q(z_i,d | x_j) in log q(z|x) + (w − 1)(log q(z) − log Πq(z_d)) − log p(z)
                    let g = (i == j ? 1 : 0) + (w - 1) * (batch.r[i * b + j] - batch.s[at])
                    guard g != 0 else { continue }
                    let u = batch.u[at], sigma = batch.sigma[j * k + d]
                    gz[i * k + d] -= g * u / sigma
                    gm[j * k + d] += g * u / sigma
                    gl[j * k + d] += g * (u * u - 1)
                }
            }
        }
        gradMu.resize(to: mu.shape)
        gradScale.resize(to: scale.shape)
        gradScale.fill(0)
        let chain = Double(closedForm.head.chain)
        for i in 0..<(b * k) {
            gradMu[i] = Float(c * (gm[i] + gz[i]))
            let s = isotropic ? i / k : i
            gradScale[s] += Float(c * chain * (gl[i] + gz[i] * batch.sigma[i] * Double(eps[i])))
        }
    }
}
