import Foundation

/// The Fréchet distance between Gaussians fitted to two sets of feature vectors (N × d each):
/// ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2·tr (Σ₁^½ Σ₂ Σ₁^½)^½, covariances divided by N − 1 (as
/// numpy's `cov`), in double precision; the square roots from Jacobi eigendecompositions of
/// symmetric matrices (negative rounding noise in eigenvalues clamped to 0).
public struct FrechetDistance: Sendable {
    public let distance: Double
    public let meanA: [Double]
    public let meanB: [Double]

    /// Mean and covariance of rows of `dimension` values.
    static func moments(_ rows: [Float], dimension d: Int) -> (mean: [Double], covariance: [Double]) {
        let n = rows.count / max(d, 1)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(rows[i * d + j]) } }
        mean = mean.map { $0 / Double(max(n, 1)) }
        var covariance = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { centred[j] = Double(rows[i * d + j]) - mean[j] }
            for p in 0..<d where centred[p] != 0 {
                let cp = centred[p]
                for q in p..<d { covariance[p * d + q] += cp * centred[q] }
            }
        }
        for p in 0..<d {
            for q in p..<d {
                covariance[p * d + q] /= Double(max(n - 1, 1))
                covariance[q * d + p] = covariance[p * d + q]
            }
        }
        return (mean, covariance)
    }

    /// The symmetric square root of a symmetric positive semi-definite d × d matrix.
    static func squareRoot(_ matrix: [Double], _ d: Int) -> [Double] {
        let (values, vectors) = PrincipalComponents.eigen(matrix, d)
        var root = [Double](repeating: 0, count: d * d)
        for (value, v) in zip(values, vectors) {
            let s = max(value, 0).squareRoot()
            for p in 0..<d where v[p] != 0 { for q in 0..<d { root[p * d + q] += s * v[p] * v[q] } }
        }
        return root
    }

    public init(_ a: [Float], _ b: [Float], dimension d: Int) {
        let (ma, ca) = FrechetDistance.moments(a, dimension: d), (mb, cb) = FrechetDistance.moments(b, dimension: d)
        let root = FrechetDistance.squareRoot(ca, d)
        // M = Σa^½ Σb Σa^½ (symmetric), whose square root's trace is tr (Σa Σb)^½
        var product = [Double](repeating: 0, count: d * d), m = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for k in 0..<d where root[i * d + k] != 0 { for j in 0..<d { product[i * d + j] += root[i * d + k] * cb[k * d + j] } } }
        for i in 0..<d { for k in 0..<d where product[i * d + k] != 0 { for j in 0..<d { m[i * d + j] += product[i * d + k] * root[k * d + j] } } }
        for i in 0..<d { for j in (i + 1)..<max(d, i + 1) { m[i * d + j] = (m[i * d + j] + m[j * d + i]) / 2; m[j * d + i] = m[i * d + j] } }
        let traceRoot = PrincipalComponents.eigen(m, d).values.reduce(0) { $0 + max($1, 0).squareRoot() }
        let shift = zip(ma, mb).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let traces = (0..<d).reduce(0) { $0 + ca[$1 * d + $1] + cb[$1 * d + $1] }
        distance = shift + traces - 2 * traceRoot
        meanA = ma
        meanB = mb
    }
}
