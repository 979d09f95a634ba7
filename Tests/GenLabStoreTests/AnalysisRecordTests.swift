import Foundation
import GenLabStore
import GenLabTestSupport
import Testing

/// `/analysis/<name>/`: written in one commit, replacing its own group only, kept by later
/// training commits, read back by GenLab and by h5py.
@Suite struct AnalysisRecordTests {
    static func record(_ name: String, _ value: Double) -> AnalysisRecord {
        AnalysisRecord(name: name, attributes: [("definition", .text("per image, z = μ")), ("images", .integer(10)), ("elbo", .number(value))],
                       arrays: [StoredArray(name: "per_image", shape: [2, 2], floats: [1, 2, 3, Float(value)]),
                                StoredArray(name: "labels", shape: [2], values: .int64([3, 4]))])
    }

    static func sorted(_ r: AnalysisRecord) -> AnalysisRecord {
        AnalysisRecord(name: r.name, attributes: r.attributes.sorted { $0.name < $1.name }, arrays: r.arrays.sorted { $0.name < $1.name })
    }

    @Test func analysesReplaceOnlyTheirOwnGroup() throws {
        let path = try RunFileTests.folder() + "/run.h5"
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(1), newHistory: RunFileTests.history(1...3))
        let before = try RunFile.read(path: path)
        try RunFile.commitAnalysis(path: path, AnalysisRecordTests.record("metrics", -90.5))
        try RunFile.commitAnalysis(path: path, AnalysisRecordTests.record("samples", 1))
        try RunFile.commitAnalysis(path: path, AnalysisRecordTests.record("metrics", -80.25))
        let analyses = try RunFile.readAnalyses(path: path)
        #expect(analyses.map(\.name) == ["metrics", "samples"])
        #expect(analyses[0] == AnalysisRecordTests.sorted(AnalysisRecordTests.record("metrics", -80.25)))
        #expect(analyses[1] == AnalysisRecordTests.sorted(AnalysisRecordTests.record("samples", 1)))
        let after = try RunFile.read(path: path)
        #expect(after.metadata == before.metadata && after.history == before.history)
        #expect(after.state?.weights.mapValues { $0.map(\.values) } == before.state?.weights.mapValues { $0.map(\.values) })
        // a training commit keeps them
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(2), newHistory: RunFileTests.history(4...5))
        #expect(try RunFile.readAnalyses(path: path).map(\.name) == ["metrics", "samples"])
        let script = """
            import h5py
            with h5py.File('\(path)') as f:
                g = f['analysis/metrics']
                print(g.attrs['definition'], int(g.attrs['images']), float(g.attrs['elbo']), g['per_image'][:].tolist(), g['labels'][:].tolist())
            """
        let python = try Repository.run("python3", ["-c", script])
        #expect(python.output.trimmingCharacters(in: .whitespacesAndNewlines) == "per image, z = μ 10 -80.25 [[1.0, 2.0], [3.0, -80.25]] [3, 4]",
                "\(python.output)")
    }

    @Test func aNameThatIsNotOneComponentIsRefused() throws {
        let path = try RunFileTests.folder() + "/run.h5"
        try RunFile.commit(path: path, metadata: RunFileTests.metadata, state: RunFileTests.state(1))
        let error = try #require(throws: HDF5Error.self) { try RunFile.commitAnalysis(path: path, AnalysisRecord(name: "a/b")) }
        #expect(error.reason == .invalidRecord)
    }
}
