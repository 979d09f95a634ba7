import GenLabModels
import GenLabResults
import GenLabSpec
import GenLabStore

/// `fd`: the Fréchet distance between GenLab's evaluation classifier's 128 penultimate
/// features of `count` generated images (z seeded) and of the first `count` test images — a
/// "Fréchet LeNet distance", comparable only between runs scored by the same classifier (its
/// name is in the number's name and in `classifier`).
public struct FrechetDistanceAnalysis: Analysis {
    public static let name = "fd"
    public static let kinds = ClassifierScores.kinds
    public static let costly = true
    public static let parameterNames = ["count", "seed", "store_features"]
    let sample: ScoredSample
    let storeFeatures: Bool

    public init(_ parameters: Fields?) throws(SpecError) {
        sample = try ScoredSample(parameters)
        storeFeatures = try parameters.bool("store_features", default: false)
    }

    /// The number's name: "fd_genlab_cnn_v1".
    static var valueName: String { "fd_" + EvaluationClassifier.name.replacingOccurrences(of: "-", with: "_") }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let scores = try data.scores(sample, run: run, analysis: Self.name)
        let d = EvaluationClassifier.featureCount
        let fd = FrechetDistance(scores.generatedFeatures, scores.testFeatures, dimension: d)
        var record = AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                Fréchet distance ‖μg − μt‖² + tr Σg + tr Σt − 2·tr (Σg^½ Σt Σg^½)^½ between the \(d) penultimate features of GenLab's \
                evaluation classifier (\(scores.classifier.description)) of \(sample.count) generated images (z seeded) and of the first \
                \(scores.testCount) test images, covariances / (N − 1); comparable only between runs scored by this classifier
                """)),
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(sample.count))), ("seed", .integer(Int64(sample.seed))),
            (Self.valueName, .number(fd.distance))] + scores.attributes,
            arrays: [StoredArray(name: "mean_generated", shape: [d], floats: fd.meanA.map(Float.init)),
                     StoredArray(name: "mean_test", shape: [d], floats: fd.meanB.map(Float.init))])
        if storeFeatures {
            record.arrays += [StoredArray(name: "features_generated", shape: [sample.count, d], floats: scores.generatedFeatures),
                              StoredArray(name: "features_test", shape: [scores.testCount, d], floats: scores.testFeatures)]
        }
        return record
    }
}
