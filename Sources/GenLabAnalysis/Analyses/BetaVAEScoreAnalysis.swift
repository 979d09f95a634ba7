import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensor

/// `beta_vae_score`: the β-VAE metric (`BetaVAEScore`, disentanglement_lib's defaults: batches
/// of 64 pairs, 10,000 training and 5,000 evaluation points, scikit-learn's
/// `LogisticRegression()`) on μ of q(z|x) (the lowest level, evaluation mode) of grid images.
/// Draws, by PCG32 (seed `seed`, stream 42), for each training point then each evaluation
/// point: the factor shared (uniform), the batch's first images' factors, its second images'
/// factors (uniform, factor by factor, image by image), the shared factor copied from the
/// first images to the second.
public struct BetaVAEScoreAnalysis: Analysis {
    public static let name = "beta_vae_score"
    public static let kinds = autoencoders
    public static let needsFactors = true
    public static let costly = true
    public static let parameterNames = ["batch_size", "num_train", "num_eval", "seed"]
    let batchSize: Int
    let train: Int
    let eval: Int
    let seed: Int

    public init(_ parameters: Fields?) throws(SpecError) {
        batchSize = try parameters.int("batch_size", default: 64, min: 1, max: 4096)
        train = try parameters.int("num_train", default: 10_000, min: 1, max: 1_000_000)
        eval = try parameters.int("num_eval", default: 5_000, min: 1, max: 1_000_000)
        seed = try parameters.int("seed", default: 0, min: 0)
        if let parameters, (train + eval) * batchSize * 2 > 4_000_000 {
            throw SpecError(.outOfRange, "'beta_vae_score' would encode 2 × (num_train + num_eval) × batch_size = \(2 * (train + eval) * batchSize) images; at most 4,000,000", at: parameters.location)
        }
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        var representations = try GridRepresentations(run: run, data: data, analysis: Self.name, seed: seed)
        let grid = representations.grid
        var shared: [Int] = [], points: [[Int]] = []
        for _ in 0..<(train + eval) {
            let factor = representations.drawFactor()
            let first = (0..<batchSize).map { _ in representations.draw() }
            var second = (0..<batchSize).map { _ in representations.draw() }
            for p in second.indices { second[p][factor] = first[p][factor] }
            shared.append(factor)
            points += first + second
        }
        let (mu, k) = try representations.means(points)
        let batches = shared.enumerated().map { b, factor in
            let rows = { (offset: Int) in (0..<batchSize).map { p in (0..<k).map { Double(mu[((2 * b + offset) * batchSize + p) * k + $0]) } } }
            return BetaVAEScore.Batch(factor: factor, first: rows(0), second: rows(1))
        }
        let result = BetaVAEScore.compute(train: Array(batches[..<train]), eval: Array(batches[train...]))
        let features = result.features.joined().map(Float.init)
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                beta_vae_score: accuracy of a logistic regression (scikit-learn's LogisticRegression(): L2, C = 1, multinomial; \
                fitted to its optimum) predicting the factor two batches of \(batchSize) images share from the mean over the batch of \
                |μ₁ − μ₂| (disentanglement_lib's beta_vae_sklearn); features stored [point][dimension], training points first
                """)),
            ("factor_names", .text(grid.factors.map(\.name).joined(separator: ", "))),
            ("step", .integer(Int64(run.step))), ("batch_size", .integer(Int64(batchSize))), ("num_train", .integer(Int64(train))),
            ("num_eval", .integer(Int64(eval))), ("seed", .integer(Int64(seed))),
            ("train_accuracy", .number(result.trainAccuracy)), ("eval_accuracy", .number(result.evalAccuracy))],
            arrays: [StoredArray(name: "features", shape: [train + eval, k], floats: features),
                     StoredArray(name: "factors", shape: [train + eval], values: .int64(shared.map(Int64.init))),
                     StoredArray(name: "weights", shape: [result.classifier.weights.count, k],
                                 floats: result.classifier.weights.joined().map(Float.init))])
    }
}
