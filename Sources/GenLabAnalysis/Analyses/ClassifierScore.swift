import Foundation
import GenLabResults
import GenLabSpec
import GenLabStore

/// `classifier_score`: the Inception-score analogue on GenLab's evaluation classifier,
/// exp(E_x KL(p(y|x) ‖ p(y))) with p(y) the mean of p(y|x), for `count` generated images and,
/// as the reference, for the first `count` test images.
public struct ClassifierScore: Analysis {
    public static let name = "classifier_score"
    public static let kinds = ClassifierScores.kinds
    public static let costly = true
    public static let parameterNames = ["count", "seed"]
    let sample: ScoredSample

    public init(_ parameters: Fields?) throws(SpecError) {
        sample = try ScoredSample(parameters)
    }

    /// exp of the mean KL between each row of `p` (N × classes) and their mean.
    static func score(_ p: [Float], classes: Int) -> Double {
        let n = p.count / max(classes, 1)
        var marginal = [Double](repeating: 0, count: classes)
        for i in 0..<n { for c in 0..<classes { marginal[c] += Double(p[i * classes + c]) / Double(n) } }
        var kl = 0.0
        for i in 0..<n {
            for c in 0..<classes where p[i * classes + c] > 0 {
                let q = Double(p[i * classes + c])
                kl += q * (Foundation.log(q) - Foundation.log(marginal[c]))
            }
        }
        return Foundation.exp(kl / Double(max(n, 1)))
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let scores = try data.scores(sample, run: run, analysis: Self.name)
        let classes = scores.classifier.classifier.classes
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                exp(E_x KL(p(y|x) ‖ p(y))), p(y) the mean of p(y|x), on GenLab's evaluation classifier (\(scores.classifier.description)): \
                score for \(sample.count) generated images (z seeded), score_test for the first \(scores.testCount) test images; between 1 and \
                \(classes) (the classes), higher when images are confidently classified and spread over the classes
                """)),
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(sample.count))), ("seed", .integer(Int64(sample.seed))),
            ("score", .number(ClassifierScore.score(scores.generatedProbabilities, classes: classes))),
            ("score_test", .number(ClassifierScore.score(scores.testProbabilities, classes: classes)))] + scores.attributes)
    }
}
