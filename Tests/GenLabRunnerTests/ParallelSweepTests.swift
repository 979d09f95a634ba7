import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// Sweeps trained by real worker processes: a failure (a non-finite loss) and a worker killed
/// with SIGKILL do not stop the others; a rerun continues the killed point and skips the
/// completed ones; `--retry-failed` trains the failed one again; Ctrl-C stops every worker
/// with a checkpoint; and every point ends with the same bits as when trained with `--jobs 1`.
@Suite(.serialized) struct ParallelSweepTests {
    /// Four points of a small MLP autoencoder: point 1's learning rate makes the loss infinite
    /// at step 2; point 2 trains ten times longer (the one killed or interrupted).
    static let experiment = """
        name: sweep-drill
        seed: 0
        dataset: {name: fashion-mnist, subset: 4096}
        model:
          kind: ae
          latent: 8
          encoder: [flatten, {linear: {out: 128}}, relu]
          decoder: mirror
          likelihood: mse
        train:
          steps: 300
          batch_size: 64
          optimizer: {sgd: {lr: 0.01}}
        record:
          losses_every: 10
          samples: {every: 100, count: 4}
          latents: {every: 100, count: 64}
          checkpoint: {every: 25}
        sweep:
          zip:
            train.optimizer.sgd.lr: [0.01, 1.0e+12, 0.02, 0.03]
            train.steps: [300, 300, LONG, 300]

        """

    /// The experiment file (point 2 trains for `long` steps) in a new folder, and a results
    /// folder beside it.
    static func drill(long: Int = 3000) throws -> (file: String, results: String) {
        let folder = try TestFolder.make("sweep")
        let file = folder.appendingPathComponent("drill.yaml").path
        try experiment.replacingOccurrences(of: "LONG", with: String(long)).write(toFile: file, atomically: true, encoding: .utf8)
        return (file, folder.appendingPathComponent("results").path)
    }

    /// The run ids of the four points, from `genlab plan` (with `options`).
    static func runIDs(_ file: String, _ options: [String] = []) throws -> [String] {
        let plan = try Repository.run(RunHarness.genlab, ["plan", file] + options)
        let ids = plan.output.split(separator: "\n").filter { $0.hasPrefix("  lr=") }.map { String($0.split(separator: " ")[0]) }
        #expect(ids.count == 4, "\(plan.output)")
        return ids
    }

    /// Starts `genlab` with `arguments`, its output going to a file.
    static func start(_ arguments: [String], output: String) throws -> Process {
        FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RunHarness.genlab)
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Waits until the run file in `folder` has a checkpoint at `step` or later.
    static func waitForCheckpoint(_ folder: String, step: Int64) throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let summary = try? RunFile.readSummary(path: "\(folder)/run.h5"), (summary.progress?.step ?? 0) >= step { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record("no checkpoint at step \(step) in \(folder) within 120 s")
    }

    /// Everything the run file of each point holds, compared between two results folders.
    static func expectSameRuns(_ results: String, _ reference: String, _ ids: [String]) throws {
        for id in ids {
            let a = try RunFile.read(path: "\(results)/sweep-drill/\(id)/run.h5")
            let b = try RunFile.read(path: "\(reference)/sweep-drill/\(id)/run.h5")
            #expect(a.metadata.status == b.metadata.status, "\(id)")
            #expect(a.metadata.failure?.replacingOccurrences(of: reference, with: results) == b.metadata.failure?.replacingOccurrences(of: reference, with: results), "\(id)")
            #expect(RunHarness.weightBits(a) == RunHarness.weightBits(b), "\(id): weights, buffers or optimizer differ")
            #expect(a.state?.rng == b.state?.rng && a.state?.progress == b.state?.progress, "\(id)")
            #expect(RunHarness.historyBits(a.history) == RunHarness.historyBits(b.history), "\(id): history differs")
            #expect(a.samples == b.samples && a.latents == b.latents, "\(id): samples or latents differ")
        }
    }

    static func text(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    @Test func failureAndKillAreIsolatedAndARerunContinues() throws {
        let (file, results) = try ParallelSweepTests.drill()
        let ids = try ParallelSweepTests.runIDs(file)
        let folders = ids.map { "\(results)/sweep-drill/\($0)" }
        let output = results + "-first.txt"
        let sweep = try ParallelSweepTests.start(["run", file, "--jobs", "2", "--results", results], output: output)
        try ParallelSweepTests.waitForCheckpoint(folders[2], step: 100)
        // while it trains, status says so, with the worker's pid
        let live = try Repository.run(RunHarness.genlab, ["status", file, "--results", results])
        let pid = try #require(RunLock.holder(folder: folders[2]))
        #expect(live.output.contains("running (pid \(pid))"), "\(live.output)")
        kill(pid, SIGKILL)
        sweep.waitUntilExit()
        let first = ParallelSweepTests.text(output)
        #expect(sweep.terminationStatus == 1, "\(first)")
        #expect(first.contains("FAILED \(ids[1])") && first.contains("loss 'reconstruction' is inf at step 2"), "\(first)")
        #expect(first.contains("KILLED \(ids[2])"), "\(first)")
        #expect(first.contains("4 points: 2 completed, 1 failed, 1 killed"), "\(first)")
        #expect(FileManager.default.fileExists(atPath: "\(folders[1])/run.log"))

        let status = try Repository.run(RunHarness.genlab, ["status", "\(results)/sweep-drill"])
        #expect(status.status == 0)
        let rows = status.output.split(separator: "\n").map(String.init)
        for (id, state) in zip(ids, ["completed", "failed", "killed", "completed"]) {
            #expect(rows.contains { $0.contains(id) && ($0.contains(" \(state) ") || $0.hasSuffix(" \(state)")) }, "\(id) should be \(state): \(status.output)")
        }
        #expect(status.output.contains("failed \(ids[1]): ") && status.output.contains("\(folders[1])/run.log"), "\(status.output)")
        let one = try Repository.run(RunHarness.genlab, ["status", file, "--results", results, "--where", "train.steps=3000"])
        #expect(one.output.contains("1 point: 1 killed") && one.output.contains(ids[2]) && !one.output.contains(ids[0]), "\(one.output)")

        // the rerun continues the killed point and leaves the completed and failed ones alone
        let completedBefore = try RunFile.read(path: "\(folders[0])/run.h5").metadata
        let rerun = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "2", "--results", results])
        #expect(rerun.status == 1, "\(rerun.output)")
        #expect(rerun.output.contains("1 to train") && rerun.output.contains("2 completed before") && rerun.output.contains("1 failed before"), "\(rerun.output)")
        #expect(try RunFile.read(path: "\(folders[0])/run.h5").metadata == completedBefore)
        #expect(ParallelSweepTests.text("\(folders[2])/run.log").contains("resuming at step"), "the killed point started over")
        #expect(try RunFile.read(path: "\(folders[2])/run.h5").metadata.status == .completed)

        // --retry-failed trains the failed point again (and it fails again, at the same step)
        let retried = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "2", "--results", results, "--retry-failed"])
        #expect(retried.status == 1 && retried.output.contains("1 to train"), "\(retried.output)")
        #expect(ParallelSweepTests.text("\(folders[1])/run.log").components(separatedBy: "loss 'reconstruction' is inf at step 2").count == 3,
                "the failed point was not trained again")

        // the same points trained one after another in one process end with the same bits
        let reference = results + "-reference"
        let alone = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "1", "--results", reference, "--quiet"])
        #expect(alone.status == 1, "\(alone.output)")
        try ParallelSweepTests.expectSameRuns(results, reference, ids)
    }

    /// Ctrl-C (SIGINT to `genlab run`): every worker checkpoints and stops, exit 130; the
    /// rerun finishes the sweep with the bits of an uninterrupted one.
    @Test func interruptedSweepContinuesBitIdentically() throws {
        let (file, results) = try ParallelSweepTests.drill()
        // the sweep changed from the command line: four good points, three of them long
        let good = ["--set", "sweep.zip.train.optimizer.sgd.lr=[0.01, 0.04, 0.02, 0.03]", "--set", "sweep.zip.train.steps=[1500, 1500, 1500, 300]"]
        let plan = try Repository.run(RunHarness.genlab, ["plan", file] + good)
        let ids = plan.output.split(separator: "\n").filter { $0.hasPrefix("  lr=") }.map { String($0.split(separator: " ")[0]) }
        #expect(ids.count == 4 && ids[1].hasPrefix("lr=0.04_steps=1500-"), "\(plan.output)")
        let folders = ids.map { "\(results)/sweep-drill/\($0)" }
        let output = results + "-first.txt"
        let sweep = try ParallelSweepTests.start(["run", file, "--jobs", "2", "--results", results] + good, output: output)
        try ParallelSweepTests.waitForCheckpoint(folders[0], step: 50)
        try ParallelSweepTests.waitForCheckpoint(folders[1], step: 50)
        kill(sweep.processIdentifier, SIGINT)
        sweep.waitUntilExit()
        let text = ParallelSweepTests.text(output)
        #expect(sweep.terminationStatus == 130, "\(text)")
        for folder in folders.prefix(2) {
            #expect(try RunFile.read(path: "\(folder)/run.h5").metadata.status == .interrupted, "\(text)")
        }
        let status = try Repository.run(RunHarness.genlab, ["status", file, "--results", results] + good)
        let rows = status.output.split(separator: "\n").map(String.init)
        for (id, state) in zip(ids, ["interrupted", "interrupted", "not started", "not started"]) {
            #expect(rows.contains { $0.contains(id) && ($0.contains(" \(state) ") || $0.hasSuffix(" \(state)")) }, "\(id) should be \(state): \(status.output)")
        }
        let rerun = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "2", "--results", results, "--quiet"] + good)
        #expect(rerun.status == 0, "\(rerun.output)")
        let reference = results + "-reference"
        let alone = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "1", "--results", reference, "--quiet"] + good)
        #expect(alone.status == 0, "\(alone.output)")
        try ParallelSweepTests.expectSameRuns(results, reference, ids)
    }

    /// `--fail-fast` stops at the first failure: the points after it are not started, and
    /// `plan --where` lists the selected points only.
    @Test func failFastStopsTheSweep() throws {
        let (file, results) = try ParallelSweepTests.drill()
        let ids = try ParallelSweepTests.runIDs(file)
        let plan = try Repository.run(RunHarness.genlab, ["plan", file, "--where", "train.steps=3000"])
        #expect(plan.output.contains("1 point:") && plan.output.contains(ids[2]) && !plan.output.contains(ids[0]), "\(plan.output)")
        let run = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "1", "--fail-fast", "--results", results])
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("4 points: 1 completed, 1 failed, 2 not started"), "\(run.output)")
        for id in ids.suffix(2) { #expect(!FileManager.default.fileExists(atPath: "\(results)/sweep-drill/\(id)/run.h5")) }
        // the point trained in this process keeps its log as a worker's would be
        #expect(ParallelSweepTests.text("\(results)/sweep-drill/\(ids[1])/run.log").contains("loss 'reconstruction' is inf at step 2"))
    }
}
