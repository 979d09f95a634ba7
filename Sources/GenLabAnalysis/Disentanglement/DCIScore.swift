import Foundation

/// Disentanglement and completeness (Eastwood & Williams, 2018) from an importance matrix
/// [code][factor], as disentanglement_lib computes them (`evaluation/metrics/dci.py`): a
/// code's disentanglement is 1 − the entropy (base: the number of factors) of its importances
/// over the factors, weighted by the code's share of all importance; a factor's completeness is
/// 1 − the entropy (base: the number of codes) of its importances over the codes, weighted by
/// the factor's share (1e-11 added to every importance, as there; a matrix of zeros weighs
/// them evenly).
public enum DCIScore {
    /// The scores and the per-code and per-factor values they average.
    public struct Result: Equatable, Sendable {
        public let disentanglement: Double
        public let completeness: Double
        public let perCode: [Double]
        public let perFactor: [Double]
    }

    /// scipy's `entropy(values, base:)`: of the values normalised to sum 1.
    static func entropy(_ values: [Double], base: Int) -> Double {
        let total = values.reduce(0, +)
        return values.reduce(0) { sum, value in
            let p = value / total
            return p > 0 ? sum - p * log(p) : sum
        } / log(Double(base))
    }

    public static func compute(importance: [[Double]]) -> Result {
        let codes = importance.count, factors = importance.first?.count ?? 0
        let perCode = importance.map { 1 - entropy($0.map { $0 + 1e-11 }, base: factors) }
        let perFactor = (0..<factors).map { j in 1 - entropy(importance.map { $0[j] + 1e-11 }, base: codes) }
        let total = importance.joined().reduce(0, +)
        let weights = total == 0 ? [[Double]](repeating: [Double](repeating: 1, count: factors), count: codes) : importance
        let sum = weights.joined().reduce(0, +)
        let codeShare = weights.map { $0.reduce(0, +) / sum }
        let factorShare = (0..<factors).map { j in weights.reduce(0) { $0 + $1[j] } / sum }
        return Result(disentanglement: zip(perCode, codeShare).reduce(0) { $0 + $1.0 * $1.1 },
                      completeness: zip(perFactor, factorShare).reduce(0) { $0 + $1.0 * $1.1 },
                      perCode: perCode, perFactor: perFactor)
    }
}
