import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// The sweep's definition round-trips, and a damaged or hand-edited one cannot send a worker
/// to train something else.
@Suite struct SweepManifestTests {
    static func written() throws -> (path: String, points: [ExperimentPoint], text: String) {
        let file = RunHarness.experimentFile("homework-mlp-vae")
        let points = try Experiment.load(path: file).training(for: .steps(2)).points()
        let results = try RunHarness.folder("manifest")
        let path = SweepManifest.path(results: results, points: points)
        try SweepManifest(experimentFile: file, points: points).write(to: path)
        return (path, points, String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self))
    }

    @Test func pointsComeBackAsWritten() throws {
        let (path, points, _) = try SweepManifestTests.written()
        #expect(path.hasSuffix("/homework-mlp-vae/sweep-\(ExperimentPoint.identity(of: points)).json"))
        let manifest = try SweepManifest.read(path: path)
        #expect(manifest.sweptKeys == ["model.beta", "train.epochs"] && manifest.points.count == 3)
        for index in points.indices {
            let point = try manifest.point(at: index, path: path)
            #expect(point.runID == points[index].runID && point.resolvedYAML == points[index].resolvedYAML)
        }
        let outside = try #require(throws: RunError.self) { try manifest.point(at: 3, path: path) }
        #expect(outside.reason == .noSuchPoint && outside.message.contains("indices 0–2"))
    }

    /// `--set 'analysis={}'` (no analyses) survives the manifest: its points parse in a worker.
    @Test func anEmptyAnalysisSectionComesBack() throws {
        let file = RunHarness.experimentFile("homework-mlp-vae")
        let points = try Experiment.load(path: file).overriding([try Override.commandLine("analysis={}")]).points()
        let path = SweepManifest.path(results: try RunHarness.folder("manifest-empty-analysis"), points: points)
        try SweepManifest(experimentFile: file, points: points).write(to: path)
        let point = try SweepManifest.read(path: path).point(at: 0, path: path)
        #expect(point.experiment.analysis?.yamlText == "{}\n")
    }

    @Test(arguments: [
        ("\"run_id\" : \"beta=0", "\"run_id\" : \"beta=1", "gives run id"),
        ("\"format\" : \"genlab-sweep\"", "\"format\" : \"other\"", "not a GenLab sweep definition"),
        ("\"format_version\" : 1", "\"format_version\" : 9", "newer GenLab"),
        ("\"index\" : 1", "\"index\" : 7", "point 1 has index 7"),
        ("lr: 1.0e-3", "lr: -1", "does not parse"),
        ("{", "[", "not a GenLab sweep definition"),
    ])
    func damageIsAnErrorNamingTheFile(_ original: String, _ replacement: String, _ message: String) throws {
        let (path, _, text) = try SweepManifestTests.written()
        #expect(text.contains(original), "\(original) not in \(text.prefix(400))")
        guard let range = text.range(of: original) else { return }
        try text.replacingCharacters(in: range, with: replacement).write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: RunError.self) {
            let manifest = try SweepManifest.read(path: path)
            for index in manifest.points.indices { _ = try manifest.point(at: index, path: path) }
        }
        #expect(error.reason == .manifest && error.path == path && error.message.contains(message), "\(error.description)")
    }
}
