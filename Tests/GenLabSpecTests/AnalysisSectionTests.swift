import GenLabNN
import GenLabSpec
import Testing

/// The `analysis` section: kept beside the configuration (no run id changes), changed by
/// `--set analysis.…`, never swept.
@Suite struct AnalysisSectionTests {
    @Test func analysisIsNotPartOfTheConfiguration() throws {
        let plain = try Experiment.parse(SweepTests.base, file: "a.yaml")
        let declared = try Experiment.parse(SweepTests.base + "analysis:\n  samples: {count: 4}\n", file: "a.yaml")
        #expect(try plain.points()[0].runID == declared.points()[0].runID)
        #expect(try declared.points()[0].experiment.analysis?.compactText == "{samples: {count: 4}}")
        let changed = try declared.overriding([try Override.commandLine("analysis.samples.count=8"), try Override.commandLine("analysis.latent_grid={}")])
        #expect(try changed.points()[0].experiment.analysis?.compactText == "{samples: {count: 8}, latent_grid: {}}")
        #expect(try changed.points()[0].runID == plain.points()[0].runID)
        let swept = try #require(throws: SpecError.self) { try SweepTests.points("analysis: {samples: {}}\nsweep:\n  grid: {analysis.samples.count: [1, 2]}\n") }
        #expect(swept.message.contains("cannot be swept"))
        let wrong = try #require(throws: SpecError.self) { try Experiment.parse(SweepTests.base + "analysis: [samples]\n", file: "a.yaml") }
        #expect(wrong.message.hasPrefix("'analysis' must map analysis names to their parameters"))
    }
}
