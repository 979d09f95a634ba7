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

/// Resume does not trust the run file: a missing part or an impossible position is an error
/// naming the file, never a run reported completed.
@Suite struct DamagedRunFileTests {
    /// A run stopped after 4 of 8 steps, then `damage` (Python with h5py) applied to a copy.
    func resumeAfter(_ damage: String) throws -> RunError? {
        let point = try RunHarness.point("arena-conv-ae", ["dataset.subset=256", "train.batch_size=32"], length: .steps(8))
        let results = try RunHarness.folder("damaged")
        let stopped = try RunHarness.run(point, results: results, stopAfter: 4)
        #expect(stopped.outcome == .interrupted)
        let path = "\(results)/\(point.experiment.name)/\(point.runID)/run.h5"
        let script = "import h5py\nwith h5py.File('\(path)', 'r+') as f:\n    \(damage)\n"
        let python = try Repository.run("python3", ["-c", script])
        #expect(python.status == 0, "\(python.output)")
        do {
            _ = try RunHarness.run(point, results: results)
            return nil
        } catch let error as RunError {
            #expect(error.path == path)
            return error
        }
    }

    @Test(arguments: [
        ("del f['rng']", "/rng/noise"),
        ("del f['history']", "/history"),
        ("f['progress'].attrs['step'] = -5", "/progress"),
        ("f['progress'].attrs['step'] = 10**12", "/progress"),
        ("f['progress'].attrs['batch'] = 3", "/progress"),
        ("w = f['weights/encoder/0.weight'][:]; del f['weights/encoder/0.weight']; f['weights/encoder/0.weight'] = w.astype('int64')",
         "encoder.0.weight is stored as integers"),
        ("f['weights/encoder/0.weight'][0, 0, 0, 0] = float('nan')", "encoder.0.weight holds nan"),
        ("f['optimizer/model/exp_avg/encoder.0.weight'][0] = float('inf')", "exp_avg/encoder.0.weight holds inf"),
        ("f.attrs['format_version'] = -3", "format_version"),
        ("f['samples'].create_dataset('step_99', data=[0.0])", "samples reach step 99"),
    ])
    func damagedFileIsRefused(_ damage: String, _ named: String) throws {
        let error = try #require(try resumeAfter(damage), "resumed a damaged file (\(damage))")
        #expect(error.message.contains(named), "\(error.message)")
    }
}

/// Memory limits below the machine's (`ulimit -v`): the size check sees them, and an
/// allocation that fails anyway ends with a message and exit 1, not a trap.
@Suite struct MemoryLimitTests {
    /// Two steps of the ARENA VAE with batches of `batch` under `ulimit -v` of `kibibytes`,
    /// killed after 60 s (a hang shows as status 137).
    static func run(batch: Int, kibibytes: Int = 1_000_000) throws -> (status: Int32, output: String) {
        let results = try RunHarness.folder("ulimit")
        let command = ([RunHarness.genlab, "run", RunHarness.experimentFile("arena-conv-vae"), "--steps", "2", "--set", "train.batch_size=\(batch)",
                        "--set", "dataset.subset=12000", "--results", results, "--quiet"]).map { "'\($0)'" }.joined(separator: " ")
        return try Repository.run("timeout", ["-s", "KILL", "60", "sh", "-c", "ulimit -v \(kibibytes); exec \(command)"])
    }

    /// 1 GB of address space: 100,000 images of the ARENA VAE (17 GiB) are refused before
    /// anything is allocated, naming the limit.
    @Test func theCheckSeesTheLimit() throws {
        let result = try MemoryLimitTests.run(batch: 100_000)
        #expect(result.status == 1)
        #expect(result.output.contains("training needs about") && result.output.contains("GenLab may use 976.6 MiB here"), "\(result.output)")
    }

    /// 5,000 images pass the estimate (888 MiB) but not the real allocations (a layer's
    /// tensor or a convolution's workspace, whichever fails first), with the address space
    /// the libraries take. (Under 2 GB, the largest batch the estimate allows now trains: the
    /// estimate counts every layer's output, and in-place layers and reshapes keep fewer.)
    @Test func failedAllocationIsAMessage() throws {
        let result = try MemoryLimitTests.run(batch: 5_000)
        #expect(result.status == 1)
        #expect(result.output.contains("genlab: out of memory "), "\(result.output)")
        #expect(!result.output.contains("crashed") && !result.output.contains("Fatal error"), "\(result.output)")
    }

    /// 700 MB of address space, little more than the libraries take: OpenBLAS 0.3.21 retried
    /// its failed 128 MiB buffer forever the first time two products ran at once (a hang,
    /// deaf to SIGTERM), and oneDNN crashed (SIGSEGV) when it could not map its generated
    /// code. Both now end with the out-of-memory message and exit 1, whichever comes first.
    /// Batches of 200 sit at the edge: glibc reserves 64 MiB of address space for each thread
    /// that allocates, as the threads happen to run, so they train on some runs; they must then
    /// end with exit 0, never hang or crash. Batches of 2,000 and 3,800 never fit.
    @Test(arguments: [(200, false), (2_000, true), (3_800, true)])
    func tightLimitsEndInAMessage(batch: Int, neverFits: Bool) throws {
        let result = try MemoryLimitTests.run(batch: batch, kibibytes: 700_000)
        let message = result.status == 1 && result.output.contains("genlab: out of memory ")
        #expect(message || (!neverFits && result.status == 0), "status \(result.status): \(result.output)")
    }
}
