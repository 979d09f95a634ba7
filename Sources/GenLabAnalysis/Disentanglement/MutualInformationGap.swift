import Foundation

/// The mutual information gap (Chen et al., 2018), as disentanglement_lib computes it
/// (`evaluation/metrics/mig.py`, default settings): each code dimension discretised into 20
/// equal-width bins between its minimum and maximum (numpy's `histogram` edges, `digitize`),
/// the mutual information (nats, scikit-learn's `mutual_info_score`) between every
/// dimension and every factor, and per factor the gap between its two most informative
/// dimensions over the factor's entropy; the score is the mean gap.
public enum MutualInformationGap {
    /// The score and what it is made of.
    public struct Result: Equatable, Sendable {
        public let score: Double
        /// The normalised gap of each factor.
        public let perFactor: [Double]
        /// [dimension][factor] mutual information, in nats.
        public let mutualInformation: [[Double]]
        /// Each factor's entropy, in nats.
        public let entropy: [Double]
    }

    /// - Parameters:
    ///   - codes: [dimension][point] representations.
    ///   - factors: [factor][point] factor indices.
    public static func compute(codes: [[Double]], factors: [[Int]], bins: Int = 20) -> Result {
        let discretized = codes.map { histogramDiscretized($0, bins: bins) }
        let information = discretized.map { dimension in factors.map { mutualInformation($0, dimension) } }
        let entropy = factors.map { mutualInformation($0, $0) }
        let perFactor = factors.indices.map { j -> Double in
            let sorted = information.map { $0[j] }.sorted(by: >)
            return (sorted[0] - (sorted.count > 1 ? sorted[1] : 0)) / entropy[j]
        }
        return Result(score: perFactor.reduce(0, +) / Double(max(perFactor.count, 1)), perFactor: perFactor,
                      mutualInformation: information, entropy: entropy)
    }

    /// numpy's `digitize(x, histogram(x, bins)[1][:-1])`: the number of the `bins` lower bin
    /// edges (equal widths from the minimum to the maximum; ±0.5 around a constant) at or below
    /// each value, 1…bins.
    package static func histogramDiscretized(_ values: [Double], bins: Int) -> [Int] {
        guard var low = values.min(), var high = values.max() else { return [] }
        if low == high {
            low -= 0.5
            high += 0.5
        }
        // numpy's linspace: i·step + low
        let step = (high - low) / Double(bins)
        let edges = (0..<bins).map { Double($0) * step + low }
        return values.map { value in
            var count = 0
            while count < bins, edges[count] <= value { count += 1 }
            return count
        }
    }

    /// scikit-learn's `mutual_info_score(a, b)`: the mutual information of two labellings from
    /// their contingency table, in nats (0 when either has one label), summed cell by cell in
    /// label order.
    package static func mutualInformation(_ a: [Int], _ b: [Int]) -> Double {
        var table: [Int: [Int: Int]] = [:], rows: [Int: Int] = [:], columns: [Int: Int] = [:]
        for (x, y) in zip(a, b) {
            table[x, default: [:]][y, default: 0] += 1
            rows[x, default: 0] += 1
            columns[y, default: 0] += 1
        }
        guard rows.count > 1, columns.count > 1 else { return 0 }
        let n = Double(a.count)
        var total = 0.0
        // in the order of the labels, so that the sum is the same in every process
        for x in table.keys.sorted() {
            let row = table[x]!
            for y in row.keys.sorted() {
                let count = row[y]!
                let joint = Double(count)
                let outer = Double(rows[x]! * columns[y]!)
                let term = joint / n * (log(joint) - log(n)) + joint / n * (-log(outer) + log(n) + log(n))
                if abs(term) >= Double.ulpOfOne { total += term }
            }
        }
        return max(total, 0)
    }
}
