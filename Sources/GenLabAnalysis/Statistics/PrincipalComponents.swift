import Foundation
import GenLabTensor

/// Principal components of a set of row vectors (N × K): the mean, the eigenvectors of the
/// covariance (divided by N − 1, as numpy's `cov`) sorted by decreasing eigenvalue, and the
/// eigenvalues (the explained variance). Computed in double precision with cyclic Jacobi
/// rotations (all of them, for latents), or the leading ones by subspace iteration (for
/// images); each component's sign fixed so that its largest entry is positive.
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
        let (values, vectors) = PrincipalComponents.eigen(a, k)
        self.mean = mean
        explainedVariance = values.map { max(0, $0) }
        components = vectors.map(PrincipalComponents.signFixed)
    }

    /// The most dimensions whose components are all computed (Jacobi rotations take k³ steps
    /// a sweep: a second at 256, hours at 4096).
    public static let exactDimensions = 256

    /// The components of N rows of `k` values: all of them up to `exactDimensions`
    /// dimensions, else the leading `leading` by subspace iteration (for latents of
    /// thousands of dimensions).
    public static func of(rows: [Float], dimension k: Int, leading: Int) -> PrincipalComponents {
        guard k > exactDimensions else { return PrincipalComponents(rows: rows, dimension: k) }
        return PrincipalComponents(count: rows.count / k, dimension: k, leading: min(leading, k)) { range in
            Array(rows[range.lowerBound * k..<range.upperBound * k])
        }
    }

    /// The leading `count` components of `n` rows of a large dimension `d` (images), by
    /// subspace iteration on the covariance (computed in single precision with BLAS from the
    /// blocks of rows `block(range)` returns) with `count` + 10 vectors and a final
    /// Rayleigh–Ritz step, so only a d × d covariance and d × (count + 10) vectors are held.
    public init(count n: Int, dimension d: Int, leading count: Int, iterations: Int = 100,
                block: (Range<Int>) -> [Float]) {
        let rowsPerBlock = 2048
        var mean = [Double](repeating: 0, count: d)
        for start in stride(from: 0, to: n, by: rowsPerBlock) {
            for (i, x) in block(start..<min(start + rowsPerBlock, n)).enumerated() { mean[i % d] += Double(x) }
        }
        mean = mean.map { $0 / Double(max(n, 1)) }
        let centre = mean.map(Float.init)
        var covariance = [Float](repeating: 0, count: d * d)
        for start in stride(from: 0, to: n, by: rowsPerBlock) {
            let rows = block(start..<min(start + rowsPerBlock, n)).enumerated().map { $0.element - centre[$0.offset % d] }
            BLAS.gemm(transA: true, m: d, n: d, k: rows.count / max(d, 1), alpha: 1 / Float(max(n - 1, 1)), a: rows, lda: d,
                      b: rows, ldb: d, beta: 1, c: &covariance, ldc: d)
        }
        // Q: d × m orthonormal columns from a seeded Gaussian start, multiplied by the covariance
        let m = min(d, count + 10)
        var generator = RandomGenerator(seed: 0, stream: .principalComponents)
        var q = [Float](repeating: 0, count: d * m), product = [Float](repeating: 0, count: d * m)
        q.withUnsafeMutableBufferPointer { generator.fillNormal($0) }
        for _ in 0...iterations {
            PrincipalComponents.orthonormalize(&q, rows: d, columns: m)
            BLAS.gemm(m: d, n: m, k: d, a: covariance, lda: d, b: q, ldb: m, beta: 0, c: &product, ldc: m)
            swap(&q, &product)
        }
        swap(&q, &product)
        // Rayleigh–Ritz: the eigenvectors of Qᵀ·C·Q (m × m) taken back to d dimensions
        var small = [Double](repeating: 0, count: m * m)
        for i in 0..<d {
            for a in 0..<m { for b in 0..<m { small[a * m + b] += Double(q[i * m + a]) * Double(product[i * m + b]) } }
        }
        for a in 0..<m {
            for b in a..<m {
                small[a * m + b] = (small[a * m + b] + small[b * m + a]) / 2
                small[b * m + a] = small[a * m + b]
            }
        }
        let (values, vectors) = PrincipalComponents.eigen(small, m)
        self.mean = mean
        explainedVariance = values.prefix(count).map { max(0, $0) }
        components = vectors.prefix(count).map { v in
            PrincipalComponents.signFixed((0..<d).map { i in (0..<m).reduce(0.0) { $0 + Double(q[i * m + $1]) * v[$1] } })
        }
    }

    /// The eigenvalues of the symmetric k × k matrix `matrix` (row-major) in decreasing order
    /// and their unit eigenvectors, by cyclic Jacobi rotations in double precision.
    static func eigen(_ matrix: [Double], _ k: Int) -> (values: [Double], vectors: [[Double]]) {
        var a = matrix
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
        return (order.map { a[$0 * k + $0] }, order.map { column in (0..<k).map { v[$0 * k + column] } })
    }

    /// `vector` or its opposite, whichever has its largest entry positive.
    static func signFixed(_ vector: [Double]) -> [Double] {
        let largest = vector.max { abs($0) < abs($1) } ?? 1
        return largest < 0 ? vector.map { -$0 } : vector
    }

    /// Makes the columns of `q` (rows × columns, row-major) orthonormal, in order (modified
    /// Gram–Schmidt in double precision).
    static func orthonormalize(_ q: inout [Float], rows: Int, columns: Int) {
        var done: [[Double]] = []
        for c in 0..<columns {
            var column = (0..<rows).map { Double(q[$0 * columns + c]) }
            for previous in done {
                let dot = zip(previous, column).reduce(0.0) { $0 + $1.0 * $1.1 }
                for i in 0..<rows { column[i] -= dot * previous[i] }
            }
            let norm = column.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            column = column.map { norm > 0 ? $0 / norm : 0 }
            done.append(column)
            for i in 0..<rows { q[i * columns + c] = Float(column[i]) }
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

    /// Each row projected on every component and back, plus the mean.
    public func reconstruct(_ rows: [Float]) -> [Float] {
        let k = mean.count, c = components.count, coordinates = project(rows, count: c)
        let n = k > 0 ? rows.count / k : 0
        return (0..<(n * k)).map { index in
            let i = index / k, j = index % k
            return Float(mean[j] + (0..<c).reduce(0.0) { $0 + Double(coordinates[i * c + $1]) * components[$1][j] })
        }
    }
}
