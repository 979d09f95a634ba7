import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `factor_vae_score`: the FactorVAE metric (`FactorVAEScore`, disentanglement_lib's defaults:
/// batches of 64, 10,000 training and 5,000 evaluation votes, variances of 10,000 images,
/// dimensions with a standard deviation under 0.05 pruned) on μ of q(z|x) (the lowest level,
/// evaluation mode) of grid images. Draws, by PCG32 (seed `seed`, stream 42): the variance
/// sample's factors (uniform, factor by factor, point by point); then for each vote the factor
/// held fixed (uniform), the batch's factors likewise, and the fixed factor set to the first
/// point's value.
public struct FactorVAEScoreAnalysis: Analysis {
    public static let name = "factor_vae_score"
    public static let kinds = autoencoders
    public static let needsFactors = true
    public static let costly = true
    public static let parameterNames = ["batch_size", "num_train", "num_eval", "num_variance_estimate", "threshold", "seed"]
    let batchSize: Int
    let train: Int
    let eval: Int
    let varianceCount: Int
    let threshold: Double
    let seed: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        batchSize = try parameters.int("batch_size", default: 64, min: 2, max: 4096)
        train = try parameters.int("num_train", default: 10_000, min: 1, max: 1_000_000)
        eval = try parameters.int("num_eval", default: 5_000, min: 1, max: 1_000_000)
        varianceCount = try parameters.int("num_variance_estimate", default: 10_000, min: 2, max: 1_000_000)
        threshold = try parameters.double("threshold", default: 0.05, exclusiveMin: 0)
        seed = try parameters.int("seed", default: 0, min: 0)
        // the votes' representations are held together: bounded (the defaults encode 960,000)
        if let parameters, (train + eval) * batchSize > 2_000_000 {
            throw SpecError(.outOfRange, "'factor_vae_score' would encode (num_train + num_eval) × batch_size = \((train + eval) * batchSize) images for its votes; at most 2,000,000", at: parameters.location)
        }
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        var representations = try GridRepresentations(run: run, data: data, analysis: Self.name, seed: seed)
        let grid = representations.grid
        let varianceSample = try representations.codes((0..<varianceCount).map { _ in representations.draw() })
        func votes(_ count: Int) throws(RunError) -> [FactorVAEScore.Batch] {
            var fixed: [Int] = [], points: [[Int]] = []
            for _ in 0..<count {
                let factor = representations.drawFactor()
                var batch = (0..<batchSize).map { _ in representations.draw() }
                for p in batch.indices { batch[p][factor] = batch[0][factor] }
                fixed.append(factor)
                points += batch
            }
            let all = try representations.codes(points)
            return fixed.enumerated().map { FactorVAEScore.Batch(factor: $1, codes: Array(all[($0 * batchSize)..<(($0 + 1) * batchSize)])) }
        }
        let trainBatches = try votes(train), evalBatches = try votes(eval)
        let result = FactorVAEScore.compute(varianceSample: varianceSample, train: trainBatches, eval: evalBatches,
                                            factors: grid.factors.count, threshold: threshold)
        let k = result.globalVariances.count, f = grid.factors.count
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                factor_vae_score: accuracy of the majority-vote classifier from the latent dimension of least normalised variance \
                (variance over a batch of \(batchSize) sharing one factor's value / variance over \(varianceCount) images, dimensions \
                with a standard deviation under \(threshold) left out) to the factor held fixed (disentanglement_lib's factor_vae_score); \
                votes indexed [factor][place among the kept dimensions]
                """)),
            ("factor_names", .text(grid.factors.map(\.name).joined(separator: ", "))),
            ("step", .integer(Int64(run.step))), ("batch_size", .integer(Int64(batchSize))), ("num_train", .integer(Int64(train))),
            ("num_eval", .integer(Int64(eval))), ("num_variance_estimate", .integer(Int64(varianceCount))), ("threshold", .number(threshold)),
            ("seed", .integer(Int64(seed))), ("train_accuracy", .number(result.trainAccuracy)), ("eval_accuracy", .number(result.evalAccuracy)),
            ("active_dimensions", .integer(Int64(result.active.filter { $0 }.count)))],
            arrays: [StoredArray(name: "global_variances", shape: [k], floats: result.globalVariances.map(Float.init)),
                     StoredArray(name: "active", shape: [k], values: .int64(result.active.map { $0 ? 1 : 0 })),
                     StoredArray(name: "train_votes", shape: [f, k], values: .int64(result.trainVotes.joined().map(Int64.init))),
                     StoredArray(name: "eval_votes", shape: [f, k], values: .int64(result.evalVotes.joined().map(Int64.init)))])
    }
}
