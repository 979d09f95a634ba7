/// scikit-learn's `Lasso(alpha:)`: w and b minimising (1/2n)‖y − Xw − b‖² + α‖w‖₁ (X and y
/// centred, so b = ȳ − x̄·w), by cyclic coordinate descent run until no weight moves by more
/// than 1e-13 (scikit-learn stops at a duality gap of 1e-4; the optimum is the same). DCI's
/// importance regressor in GenLab.
public struct Lasso: Sendable {
    public let weights: [Double]
    public let intercept: Double

    /// Fits `features` ([point][feature]) to `targets`.
    public init(features: [[Double]], targets: [Double], alpha: Double, maxSweeps: Int = 100_000) {
        let n = features.count, d = features.first?.count ?? 0
        guard n > 0 else {
            (weights, intercept) = ([Double](repeating: 0, count: d), 0)
            return
        }
        let featureMean = (0..<d).map { j in features.reduce(0) { $0 + $1[j] } / Double(n) }
        let targetMean = targets.reduce(0, +) / Double(n)
        // column-major centred features, and the residual y − Xw (w = 0)
        let columns = (0..<d).map { j in features.map { $0[j] - featureMean[j] } }
        let norms = columns.map { $0.reduce(0) { $0 + $1 * $1 } }
        var residual = targets.map { $0 - targetMean }
        var w = [Double](repeating: 0, count: d)
        let threshold = alpha * Double(n)
        for _ in 0..<maxSweeps {
            var largest = 0.0
            for j in 0..<d where norms[j] > 0 {
                let column = columns[j]
                var rho = 0.0
                for i in 0..<n { rho += column[i] * residual[i] }
                rho += norms[j] * w[j]
                let updated = (rho > threshold ? rho - threshold : rho < -threshold ? rho + threshold : 0) / norms[j]
                let change = updated - w[j]
                if change != 0 {
                    for i in 0..<n { residual[i] -= change * column[i] }
                    w[j] = updated
                }
                largest = max(largest, abs(change))
            }
            if largest <= 1e-13 { break }
        }
        weights = w
        intercept = targetMean - zip(featureMean, w).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The prediction for one point.
    public func predict(_ x: [Double]) -> Double { zip(weights, x).reduce(intercept) { $0 + $1.0 * $1.1 } }
}
