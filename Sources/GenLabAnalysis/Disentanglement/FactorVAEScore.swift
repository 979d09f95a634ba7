/// The FactorVAE metric (Kim & Mnih, 2018), as disentanglement_lib computes it
/// (`evaluation/metrics/factor_vae.py`, default settings): each dimension's variance over a
/// sample of representations (ddof 1); dimensions whose standard deviation is under 0.05
/// pruned; then each vote is a batch of 64 representations sharing one factor's value: the
/// kept dimension of least variance relative to its global variance votes for that factor.
/// A majority-vote classifier maps each dimension to the factor it voted for most; accuracy
/// is the votes it gets right. Like disentanglement_lib, a vote's dimension is counted by
/// its place among the kept dimensions.
public enum FactorVAEScore {
    /// One vote's batch: the factor held fixed and the representations, [point][dimension].
    public struct Batch: Sendable {
        public let factor: Int
        public let codes: [[Double]]

        public init(factor: Int, codes: [[Double]]) {
            self.factor = factor
            self.codes = codes
        }
    }

    /// The scores and what they are made of.
    public struct Result: Equatable, Sendable {
        public let trainAccuracy: Double
        public let evalAccuracy: Double
        /// Each dimension's variance over the variance sample.
        public let globalVariances: [Double]
        /// The dimensions kept (standard deviation at least 0.05).
        public let active: [Bool]
        /// [factor][dimension] votes of the training and the evaluation batches.
        public let trainVotes: [[Int]]
        public let evalVotes: [[Int]]
    }

    /// The sample variance (ddof 1) of each dimension of `codes` ([point][dimension]).
    static func variances(_ codes: [[Double]]) -> [Double] {
        guard let width = codes.first?.count, codes.count > 1 else { return [] }
        return (0..<width).map { d in
            let mean = codes.reduce(0) { $0 + $1[d] } / Double(codes.count)
            return codes.reduce(0) { $0 + ($1[d] - mean) * ($1[d] - mean) } / Double(codes.count - 1)
        }
    }

    static func votes(_ batches: [Batch], factors: Int, global: [Double], active: [Bool]) -> [[Int]] {
        var votes = [[Int]](repeating: [Int](repeating: 0, count: global.count), count: factors)
        let kept = active.indices.filter { active[$0] }
        for batch in batches {
            let local = variances(batch.codes)
            var best = 0
            for (place, d) in kept.enumerated() where local[d] / global[d] < local[kept[best]] / global[kept[best]] { best = place }
            votes[batch.factor][best] += 1
        }
        return votes
    }

    /// - Parameters:
    ///   - varianceSample: representations of independent images, [point][dimension].
    ///   - threshold: the standard deviation under which a dimension is pruned.
    public static func compute(varianceSample: [[Double]], train: [Batch], eval: [Batch], factors: Int, threshold: Double = 0.05) -> Result {
        let global = variances(varianceSample)
        let active = global.map { $0.squareRoot() >= threshold }
        guard active.contains(true) else {
            let none = [[Int]](repeating: [Int](repeating: 0, count: global.count), count: factors)
            return Result(trainAccuracy: 0, evalAccuracy: 0, globalVariances: global, active: active, trainVotes: none, evalVotes: none)
        }
        let trainVotes = votes(train, factors: factors, global: global, active: active)
        let evalVotes = votes(eval, factors: factors, global: global, active: active)
        // each dimension's factor: the first with the most training votes
        let classifier = global.indices.map { d in (0..<factors).reduce(0) { trainVotes[$1][d] > trainVotes[$0][d] ? $1 : $0 } }
        func accuracy(_ votes: [[Int]]) -> Double {
            let right = global.indices.reduce(0) { $0 + votes[classifier[$1]][$1] }
            let all = votes.joined().reduce(0, +)
            return all == 0 ? 0 : Double(right) / Double(all)
        }
        return Result(trainAccuracy: accuracy(trainVotes), evalAccuracy: accuracy(evalVotes), globalVariances: global, active: active,
                      trainVotes: trainVotes, evalVotes: evalVotes)
    }
}
