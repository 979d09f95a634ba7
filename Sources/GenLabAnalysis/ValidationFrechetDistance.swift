import Foundation
import GenLabData
import GenLabModels
import GenLabResults
import GenLabSpec

/// `record.validation.fd`: the `fd` analysis of the weights being trained, at each
/// validation — `count` images generated from z of the analysis's stream (seed 0) against the
/// first `count` test images, by the evaluation classifier, which must be in the cache
/// already (training waits for nobody's classifier: `genlab classifier` trains it).
public final class ValidationFrechetDistance: ValidationScoring, @unchecked Sendable {
    let datasets: DatasetCache

    public init(datasets: DatasetCache) { self.datasets = datasets }

    /// Refuses to start training `experiment` with `record.validation.fd` while the classifier
    /// of its dataset is not cached, naming the command that trains it.
    public static func requireClassifier(_ experiment: Experiment) throws(RunError) {
        guard experiment.record.validation?.fd == true else { return }
        let path = TrainedClassifier.path(for: TrainedClassifier.pixelSpec(experiment.dataset), seed: 0, epochs: TrainedClassifier.defaultEpochs)
        guard FileManager.default.fileExists(atPath: path) else {
            throw RunError(.experiment(.notApplicable), "'record.validation.fd' needs the evaluation classifier of \(experiment.dataset.name.rawValue) in the cache ('genlab classifier \(experiment.file)' trains it)",
                           path: path)
        }
    }

    public func scores(_ run: TrainedRun, count: Int) throws(RunError) -> [String: Float] {
        try ValidationFrechetDistance.requireClassifier(run.experiment)
        let data = AnalysisData(spec: run.experiment.dataset, datasets: datasets)
        let scores = try data.scores(ScoredSample(count: count, seed: 0), run: run, analysis: "record.validation.fd")
        let fd = FrechetDistance(scores.generatedFeatures, scores.testFeatures, dimension: EvaluationClassifier.featureCount)
        return [HistoryColumn.validation("fd"): Float(fd.distance)]
    }
}
