import Foundation

/// The importance matrix of DCI as GenLab computes it (disentanglement_lib uses gradient-
/// boosted trees; Eastwood & Williams' paper used the lasso and random forests): each code
/// standardised by the training points' mean and standard deviation (a constant code left at
/// 0), each factor's index scaled to [0, 1]; per factor a `Lasso(alpha:)` regression on every
/// code; importance[code][factor] = |weight|. Informativeness is each factor's
/// root-mean-square prediction error (on the [0, 1] scale; lower is better) on the training
/// and the test points.
public struct DCIImportance: Sendable {
    /// [code][factor] |lasso weight|.
    public let importance: [[Double]]
    /// Root-mean-square error of each factor's prediction.
    public let trainError: [Double]
    public let testError: [Double]

    /// - Parameters:
    ///   - codes: [point][code] training representations; `factors` [point][factor] on [0, 1].
    ///   - testCodes: [point][code] test representations, `testFactors` theirs.
    public init(codes: [[Double]], factors: [[Double]], testCodes: [[Double]], testFactors: [[Double]], alpha: Double) {
        let n = Double(codes.count), width = codes.first?.count ?? 0, factorCount = factors.first?.count ?? 0
        let mean = (0..<width).map { d in codes.reduce(0) { $0 + $1[d] } / n }
        let deviation = (0..<width).map { d in (codes.reduce(0) { $0 + ($1[d] - mean[d]) * ($1[d] - mean[d]) } / n).squareRoot() }
        func standardised(_ rows: [[Double]]) -> [[Double]] {
            rows.map { row in (0..<width).map { deviation[$0] > 0 ? (row[$0] - mean[$0]) / deviation[$0] : 0 } }
        }
        let train = standardised(codes), test = standardised(testCodes)
        let fits = (0..<factorCount).map { j in Lasso(features: train, targets: factors.map { $0[j] }, alpha: alpha) }
        importance = (0..<width).map { d in fits.map { abs($0.weights[d]) } }
        func errors(_ rows: [[Double]], _ targets: [[Double]]) -> [Double] {
            fits.indices.map { j in
                (zip(rows, targets).reduce(0) { sum, pair in
                    let e = fits[j].predict(pair.0) - pair.1[j]
                    return sum + e * e
                } / Double(max(rows.count, 1))).squareRoot()
            }
        }
        trainError = errors(train, factors)
        testError = errors(test, testFactors)
    }
}
