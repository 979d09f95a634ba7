import Foundation
import GenLabResults
import GenLabSpec
import GenLabStore

/// `mode_coverage`: how the classes GenLab's evaluation classifier predicts for `count`
/// generated images spread, against the test set's: both histograms, their entropies (nats;
/// at most log of the classes), the KL from the generated histogram to the test one, and the
/// classes covered (predicted for at least a tenth of their share, count / classes / 10).
public struct ModeCoverage: Analysis {
    public static let name = "mode_coverage"
    public static let kinds = ClassifierScores.kinds
    public static let costly = true
    public static let parameterNames = ["count", "seed"]
    let sample: ScoredSample

    public init(_ parameters: Fields?) throws(SpecError) {
        sample = try ScoredSample(parameters)
    }

    /// The predicted class counts of rows of probabilities.
    static func histogram(_ p: [Float], classes: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classes)
        for i in 0..<(p.count / max(classes, 1)) {
            let row = p[(i * classes)..<((i + 1) * classes)]
            if let top = row.indices.max(by: { row[$0] < row[$1] }) { counts[top - i * classes] += 1 }
        }
        return counts
    }

    static func entropy(_ counts: [Int]) -> Double {
        let total = Double(counts.reduce(0, +))
        return counts.reduce(0.0) { $1 > 0 ? $0 - Double($1) / total * Foundation.log(Double($1) / total) : $0 }
    }

    public func run(on run: TrainedRun, data: AnalysisData, pictures: String) throws(RunError) -> AnalysisRecord {
        let scores = try data.scores(sample, run: run, analysis: Self.name)
        let classes = scores.classifier.classifier.classes
        let generated = ModeCoverage.histogram(scores.generatedProbabilities, classes: classes)
        let test = ModeCoverage.histogram(scores.testProbabilities, classes: classes)
        let (g, t) = (Double(generated.reduce(0, +)), Double(test.reduce(0, +)))
        // KL(generated ‖ test), test counts smoothed by one so an empty class stays finite
        let kl = zip(generated, test).reduce(0.0) { sum, pair in
            guard pair.0 > 0 else { return sum }
            let p = Double(pair.0) / g, q = Double(pair.1 + 1) / (t + Double(classes))
            return sum + p * Foundation.log(p / q)
        }
        let covered = generated.filter { Double($0) >= Double(sample.count) / Double(classes) / 10 }.count
        return AnalysisRecord(name: Self.name, attributes: [
            ("definition", .text("""
                classes predicted by GenLab's evaluation classifier (\(scores.classifier.description)) for \(sample.count) generated images (z seeded) \
                and for the first \(scores.testCount) test images: entropy and entropy_test of the two histograms (nats, at most \
                log \(classes) = \(String(format: "%.4f", Foundation.log(Double(classes))))), kl_to_test = KL(generated ‖ test histogram, the \
                test counts + 1), modes_covered = classes predicted for at least count / classes / 10 images
                """)),
            ("step", .integer(Int64(run.step))), ("count", .integer(Int64(sample.count))), ("seed", .integer(Int64(sample.seed))),
            ("entropy", .number(ModeCoverage.entropy(generated))), ("entropy_test", .number(ModeCoverage.entropy(test))),
            ("kl_to_test", .number(kl)), ("modes_covered", .integer(Int64(covered))), ("classes", .integer(Int64(classes)))] + scores.attributes,
            arrays: [StoredArray(name: "histogram", shape: [classes], values: .int64(generated.map(Int64.init))),
                     StoredArray(name: "histogram_test", shape: [classes], values: .int64(test.map(Int64.init)))])
    }
}
