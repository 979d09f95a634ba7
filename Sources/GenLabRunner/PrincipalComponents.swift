import Foundation

/// Principal components of a set of row vectors (N × K): the mean, the eigenvectors of the
/// covariance (divided by N − 1, as numpy's `cov`) sorted by decreasing eigenvalue, and the
/// eigenvalues (the explained variance). Computed in double precision with cyclic Jacobi
/// rotations, each component's sign fixed so that its largest entry is positive.
public struct PrincipalComponents: Sendable {
    public let mean: [Double]
    /// Row k is component k (K values).
    public let components: [[Double]]
    public let explainedVariance: [Double]

    public init(rows: [Float], dimension k: Int) {
        let n = k > 0 ? rows.count / k : 0
        var mean = [Double](repeating: 0, count: k)
        for i in 0..<n { for j in 0..<k { mean[j] += Double(rows[i * k + j]) } }
        mean = mean.map { $0 / Double(max(n, 1)) }
        var a = [Double](repeating: 0, count: k * k)
        for i in 0..<n {
            for p in 0..<k {
                let dp = Double(rows[i * k + p]) - mean[p]
                for q in p..<k { a[p * k + q] += dp * (Double(rows[i * k + q]) - mean[q]) }
            }
        }
        for p in 0..<k { for q in p..<k { a[p * k + q] /= Double(max(n - 1, 1)); a[q * k + p] = a[p * k + q] } }
        var v = [Double](repeating: 0, count: k * k)
        for p in 0..<k { v[p * k + p] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<k { for q in (p + 1)..<max(k, p + 1) { off += a[p * k + q] * a[p * k + q] } }
            if off < 1e-30 { break }
            for p in 0..<k {
                for q in (p + 1)..<max(k, p + 1) where abs(a[p * k + q]) > 1e-300 {
                    let theta = (a[q * k + q] - a[p * k + p]) / (2 * a[p * k + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for r in 0..<k {
                        let arp = a[r * k + p], arq = a[r * k + q]
                        a[r * k + p] = c * arp - s * arq
                        a[r * k + q] = s * arp + c * arq
                    }
                    for r in 0..<k {
                        let apr = a[p * k + r], aqr = a[q * k + r]
                        a[p * k + r] = c * apr - s * aqr
                        a[q * k + r] = s * apr + c * aqr
                    }
                    for r in 0..<k {
                        let vrp = v[r * k + p], vrq = v[r * k + q]
                        v[r * k + p] = c * vrp - s * vrq
                        v[r * k + q] = s * vrp + c * vrq
                    }
                }
            }
        }
        let order = (0..<k).sorted { a[$0 * k + $0] > a[$1 * k + $1] }
        self.mean = mean
        explainedVariance = order.map { max(0, a[$0 * k + $0]) }
        components = order.map { column in
            let vector = (0..<k).map { v[$0 * k + column] }
            let largest = vector.max { abs($0) < abs($1) } ?? 1
            return largest < 0 ? vector.map { -$0 } : vector
        }
    }

    /// The rows' coordinates along the first `count` components (N × count, row-major).
    public func project(_ rows: [Float], count: Int) -> [Float] {
        let k = mean.count, n = k > 0 ? rows.count / k : 0
        var result = [Float](repeating: 0, count: n * count)
        for i in 0..<n {
            for c in 0..<min(count, components.count) {
                var sum = 0.0
                for j in 0..<k { sum += (Double(rows[i * k + j]) - mean[j]) * components[c][j] }
                result[i * count + c] = Float(sum)
            }
        }
        return result
    }
}
