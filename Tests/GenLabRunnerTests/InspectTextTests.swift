import Foundation
import GenLabReport
import GenLabStore
import GenLabTestSupport
import Testing

/// `genlab inspect` shows the strings of a run file as data: a `precision` (or `failure`)
/// attribute with terminal escapes and line breaks comes out with them written visibly.
@Suite struct InspectTextTests {
    @Test func controlCharactersAreShownNotSent() throws {
        let point = try RunHarness.point("homework-mlp-ae", ["dataset.subset=64", "train.batch_size=32"], length: .steps(2))
        let results = try RunHarness.folder("inspect-text")
        _ = try RunHarness.run(point, results: results)
        let runFile = try #require((FileManager.default.subpaths(atPath: results) ?? []).first { $0.hasSuffix("run.h5") })
        let path = "\(results)/\(runFile)"
        do {
            let file = try HDF5File(path: path, mode: .readWrite)
            try file.setAttribute("precision", "bf16\u{1B}[2J\nstatus       completed")
            try file.close()
        }
        let lines = try RunInspection.lines(of: path)
        #expect(!lines.joined().contains("\u{1B}") && !lines.contains("status       completed"))
        #expect(lines.contains("precision    bf16\\u{1B}[2J\\nstatus       completed"), "\(lines)")
    }
}
