import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// Faults from outside: a full disk, a file-size limit, a process killed with SIGKILL.
@Suite struct FaultTests {
    static let arguments = ["--steps", "30", "--set", "dataset.subset=512", "--set", "record.checkpoint={every: 5}", "--quiet"]

    /// Checks the state a failed write must leave: a clear message, exit 1, no crash, no
    /// stray temporary file, and a run file (if any) that reads back.
    static func expectCleanFailure(_ result: (status: Int32, output: String), reason: String, results: String) throws {
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains(reason), "\(result.output)")
        #expect(!result.output.contains("crashed") && !result.output.contains("Fatal error"), "\(result.output)")
        let files = (try? FileManager.default.subpathsOfDirectory(atPath: results)) ?? []
        #expect(!files.contains { $0.hasSuffix(".tmp") }, "stray temporary file: \(files)")
        for file in files where file.hasSuffix("run.h5") {
            let contents = try RunFile.read(path: "\(results)/\(file)")
            #expect(contents.state != nil)
        }
    }

    /// A tmpfs of 2 MiB fills up during the run (the ARENA VAE's run file is about 1.5 MB):
    /// every write path (new run, continuing it with --retry-failed, --overwrite) ends in "No
    /// space left on device"; a plain rerun skips the failed point and says why.
    @Test func fullDiskIsAClearError() throws {
        let mountPoint = try TestFolder.make("small-disk").path
        let mounted = try Repository.run("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint])
        guard mounted.status == 0 else {
            print("fullDiskIsAClearError skipped: cannot mount a tmpfs here (\(mounted.output.trimmingCharacters(in: .whitespacesAndNewlines)))")
            return
        }
        defer { _ = try? Repository.run("umount", [mountPoint]) }
        let file = RunHarness.experimentFile("arena-conv-vae")
        let fresh = try Repository.run(RunHarness.genlab, ["run", file, "--results", mountPoint] + FaultTests.arguments)
        try FaultTests.expectCleanFailure(fresh, reason: "No space left on device", results: mountPoint)
        let skipped = try Repository.run(RunHarness.genlab, ["run", file, "--results", mountPoint] + FaultTests.arguments)
        try FaultTests.expectCleanFailure(skipped, reason: "failed before", results: mountPoint)
        let resumed = try Repository.run(RunHarness.genlab, ["run", file, "--results", mountPoint, "--retry-failed"] + FaultTests.arguments)
        try FaultTests.expectCleanFailure(resumed, reason: "No space left on device", results: mountPoint)
        let overwritten = try Repository.run(RunHarness.genlab, ["run", file, "--results", mountPoint, "--overwrite"] + FaultTests.arguments)
        try FaultTests.expectCleanFailure(overwritten, reason: "No space left on device", results: mountPoint)
    }

    /// A file-size limit (ulimit -f) is reported as "File too large", not a SIGXFSZ death.
    @Test func fileSizeLimitIsAClearError() throws {
        let results = try RunHarness.folder("fsize")
        let command = ([RunHarness.genlab, "run", RunHarness.experimentFile("arena-conv-vae"), "--results", results]
            + FaultTests.arguments).map { "'\($0)'" }.joined(separator: " ")
        let result = try Repository.run("sh", ["-c", "ulimit -f 2048; exec \(command)"])
        try FaultTests.expectCleanFailure(result, reason: "File too large", results: results)
    }

    /// A run killed with SIGKILL keeps status "running" in its file, but `inspect` reports it
    /// as not running (nobody holds its lock) and says how to continue; a rerun finishes it.
    @Test func killedRunIsReportedAndResumes() throws {
        let results = try RunHarness.folder("kill9")
        let arguments = ["run", RunHarness.experimentFile("arena-conv-ae"), "--steps", "400", "--set", "dataset.subset=2000",
                         "--set", "train.batch_size=64", "--results", results, "--quiet"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RunHarness.genlab)
        process.arguments = arguments
        try process.run()
        var runFile: String?
        let deadline = Date().addingTimeInterval(60)
        while runFile == nil, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            runFile = ((try? FileManager.default.subpathsOfDirectory(atPath: results)) ?? [])
                .first { $0.hasSuffix("run.h5") }.map { "\(results)/\($0)" }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let path = try #require(runFile)
        #expect(try RunFile.read(path: path).metadata.status == .running)
        #expect(!RunLock.isHeld(runFile: path))
        let inspected = try Repository.run(RunHarness.genlab, ["inspect", path])
        #expect(inspected.status == 0)
        #expect(inspected.output.contains("not running") && inspected.output.contains("genlab run"), "\(inspected.output)")
        let resumed = try Repository.run(RunHarness.genlab, arguments)
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try RunFile.read(path: path).metadata.status == .completed)
    }
}
