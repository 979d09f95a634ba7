import Foundation
import GenLabStore
import GenLabTensorBoard
import GenLabTestSupport
import Testing

/// `genlab export tensorboard`: event files that TensorBoard's own reader reads back equal to
/// the run files' histories; the record framing's CRC-32C against its published check values.
@Suite struct TensorBoardExportTests {
    /// CRC-32C's check value ("123456789") and iSCSI's test vectors (RFC 3720, B.4).
    @Test func crc32cCheckValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map(UInt8.init)) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    /// The scalars TensorBoard's `EventAccumulator` reads, as "tag step value" lines (float32
    /// printed exactly), or nil when the tensorboard package is missing.
    static func scalars(_ folder: String) throws -> [String]? {
        let script = """
            import sys
            try:
                from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            except ImportError:
                print("NO-TENSORBOARD"); sys.exit(0)
            import numpy
            ea = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0}); ea.Reload()
            for tag in sorted(ea.Tags()["scalars"]):
                for e in ea.Scalars(tag):
                    print(tag, e.step, numpy.float32(e.value).view(numpy.uint32))
            """
        let run = try Repository.run("python3", ["-c", script, folder])
        #expect(run.status == 0, "\(run.output)")
        if run.output.contains("NO-TENSORBOARD") { return nil }
        return run.output.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    @Test func tensorBoardReadsTheHistory() throws {
        let results = try RunHarness.folder("tensorboard")
        let file = "\(results)/tiny.yaml"
        try RunHarness.tinyAutoencoder("tiny", subset: 256, steps: 12, lossesEvery: 2, rest: "  validation: {every: 6, count: 64}\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let trained = try Repository.run(RunHarness.genlab, ["run", file, "--results", results])
        #expect(trained.status == 0, "\(trained.output)")
        let exported = try Repository.run(RunHarness.genlab, ["export", "tensorboard", results])
        #expect(exported.status == 0 && exported.output.contains("scalars"), "\(exported.output)")
        let runFile = try #require(TensorBoardExport.runFiles(in: results).first)
        let history = try RunFile.read(path: runFile).history
        var expected: [String] = []
        for tag in history.columns.keys.sorted() {
            for (step, value) in zip(history.steps, history.columns[tag]!) where !value.isNaN { expected.append("\(tag) \(step) \(value.bitPattern)") }
        }
        #expect(expected.contains { $0.hasPrefix("validation.total 6 ") } && !expected.contains { $0.hasPrefix("validation.total 2 ") })
        let folder = ((runFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("tensorboard")
        guard let read = try TensorBoardExportTests.scalars(folder) else {
            print("skipped: the tensorboard Python package is not installed (scripts/setup.sh installs it)")
            return
        }
        #expect(read == expected)

        // exporting again leaves the run alone
        let again = try Repository.run(RunHarness.genlab, ["export", "tensorboard", results])
        #expect(again.status == 0 && again.output.contains("skipped: ") && again.output.contains("already holds event files"), "\(again.output)")

        // a file cut inside its last record (a process killed mid-write) reads up to the record before
        let event = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: "\(folder)/\(event)"))
        try handle.truncate(atOffset: try handle.seekToEnd() - 5)
        try handle.close()
        let cut = try #require(try TensorBoardExportTests.scalars(folder))
        #expect(cut.count < read.count && !cut.isEmpty && Set(cut).isSubset(of: Set(read)))
        #expect(!cut.contains { $0.hasPrefix("total 12 ") } && read.contains { $0.hasPrefix("total 12 ") })

        // a tensorboard/ planted as a link to a folder elsewhere: refused, nothing written there
        let elsewhere = try RunHarness.folder("tensorboard-elsewhere")
        try FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createSymbolicLink(atPath: folder, withDestinationPath: elsewhere)
        let planted = try Repository.run(RunHarness.genlab, ["export", "tensorboard", results])
        #expect(planted.status == 1 && planted.output.contains("symbolic link"), "\(planted.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
    }
}
