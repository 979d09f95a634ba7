import Foundation
import GenLabAnalysis
import GenLabCore
import GenLabReport
import GenLabResults
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// Sweeps as Slurm job arrays, against a real single-node Slurm (`scripts/slurm-local.sh`,
/// which needs root; the tests that need it are skipped, saying why, where it cannot start).
@Suite(.serialized) struct SlurmTests {
    /// Runs `scripts/slurm-local.sh action` with `environment` ("NAME=value" words, as
    /// `env` takes them).
    static func slurmLocal(_ action: String, environment: String = "") -> (status: Int32, output: String) {
        let script = Repository.root.appendingPathComponent("scripts/slurm-local.sh").path
        return ChildProcess.run("env", environment.split(separator: " ").map(String.init) + [script, action])
    }

    /// Starts the local Slurm (a no-op when it runs); nil when it cannot, with the reason.
    static func slurm() throws -> String? {
        let started = slurmLocal("start")
        return started.status == 0 ? nil : started.output
    }

    /// `genlab run FILE --launcher slurm …`: its output and the job ids it printed.
    static func submit(_ file: String, results: String, _ options: [String]) throws -> (output: String, jobs: [String]) {
        let run = try Repository.run(RunHarness.genlab, ["run", file, "--launcher", "slurm", "--results", results] + options)
        #expect(run.status == 0, "\(run.output)")
        guard let line = run.output.split(separator: "\n").first(where: { $0.hasPrefix("submitted ") }),
              let range = line.range(of: "as Slurm job") else { return (run.output, []) }
        var rest = line[range.upperBound...]
        if rest.hasPrefix("s") { rest = rest.dropFirst() }
        return (run.output, rest.split(separator: "(")[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// Slurm's tasks of `jobs` (array task → state), from squeue; nil when squeue did not
    /// answer (a busy controller), empty once the jobs have left the queue.
    static func tasks(_ jobs: [String]) throws -> [String: String]? {
        let queue = try Repository.run("squeue", ["-h", "-r", "-j", jobs.joined(separator: ","), "-o", "%i %T"])
        if queue.status != 0 { return queue.output.contains("Invalid job id") ? [:] : nil }
        var tasks: [String: String] = [:]
        for line in queue.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2 { tasks[String(fields[0])] = String(fields[1]) }
        }
        return tasks
    }

    /// Waits until Slurm holds no task of `jobs` (at most `seconds`), returning the most tasks
    /// seen running at once.
    @discardableResult
    static func wait(_ jobs: [String], seconds: Double = 240) throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        var most = 0
        while Date() < deadline {
            if let tasks = try tasks(jobs) {
                most = max(most, tasks.values.filter { $0 == "RUNNING" }.count)
                if tasks.isEmpty { return most }
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("Slurm jobs \(jobs) still queued after \(seconds) s: \(String(describing: try tasks(jobs)))")
        return most
    }

    /// The id of the sweep written in `results` (of `sweep-<id>.json`).
    static func sweepID(_ results: String) throws -> String {
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(results)/sweep-drill").first { $0.hasPrefix("sweep-") })
        return String(name.dropFirst(6).dropLast(5))
    }

    static func status(_ results: String, _ runID: String) -> PointStatus {
        PointStatus.read(PointFiles(folder: "\(results)/sweep-drill/\(runID)"))
    }

    /// Four points with `--jobs 2`: at most two tasks run at once, the failing point is
    /// reported and does not stop the others, the results equal the local sweep's bits;
    /// resubmitting submits only a missing point (and the failed one with --retry-failed),
    /// leaving completed run files untouched.
    @Test func aSweepRunsAsAThrottledJobArray() throws {
        if let reason = try SlurmTests.slurm() { print("skipped: no local Slurm: \(reason)"); return }
        let (file, results) = try ParallelSweepTests.drill(long: 300)
        let ids = try ParallelSweepTests.runIDs(file)
        let (output, jobs) = try SlurmTests.submit(file, results: results, ["--jobs", "2"])
        #expect(output.contains("submitted 4 points of 4") && jobs.count == 1, "\(output)")
        // Slurm throttles (this node has 2 CPUs, so the script's %2 is what says it)
        let first = try String(contentsOfFile: "\(results)/sweep-drill/slurm/sweep-\(try SlurmTests.sweepID(results))-0.sh", encoding: .utf8)
        #expect(first.contains("#SBATCH --array=0-3%2"), "\(first)")
        // status shows Slurm's view of the queued tasks (read from squeue, not sacct)
        let queued = try Repository.run(RunHarness.genlab, ["status", "\(results)/sweep-drill"]).output
        let lines = queued.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("#") }, "\(queued)")
        let column = try #require(header.range(of: "slurm"), "\(queued)").lowerBound.utf16Offset(in: header)
        let slurmStates = lines.filter { $0.first?.isNumber == true }.map { String($0.dropFirst(column).prefix(7)) }
        // (a task that already ended has left the queue: its column is empty)
        #expect(slurmStates.count == 4 && slurmStates.filter { $0 == "pending" || $0 == "running" }.count >= 2
                && slurmStates.allSatisfy { ["pending", "running", ""].contains($0.trimmingCharacters(in: .whitespaces)) }, "\(queued)")
        let most = try SlurmTests.wait(jobs)
        #expect(most <= 2, "\(most) tasks ran at once with --jobs 2")
        let states = ids.map { SlurmTests.status(results, $0).state }
        #expect(states == [.completed, .failed, .completed, .completed], "\(states)")
        #expect(SlurmTests.status(results, ids[1]).failure?.contains("loss") == true, "\(SlurmTests.status(results, ids[1]).failure ?? "")")
        // every task has its log; the failed point's says why
        let logs = try FileManager.default.contentsOfDirectory(atPath: "\(results)/sweep-drill/slurm").filter { $0.hasSuffix(".log") }
        #expect(logs.count == 4, "\(logs)")
        let statusText = try Repository.run(RunHarness.genlab, ["status", "\(results)/sweep-drill"]).output
        #expect(statusText.contains("3 completed") && statusText.contains("1 failed"), "\(statusText)")

        // the same sweep run locally, one point after another: the same bits
        let local = results + "-local"
        let localRun = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "1", "--results", local, "--quiet"])
        #expect(localRun.status == 1, "\(localRun.output)")
        for index in [0, 2, 3] {
            let cluster = try RunFile.read(path: "\(results)/sweep-drill/\(ids[index])/run.h5")
            let alone = try RunFile.read(path: "\(local)/sweep-drill/\(ids[index])/run.h5")
            #expect(RunHarness.weightBits(cluster) == RunHarness.weightBits(alone) ? true : false, "point \(index): weights differ from the local run")
            #expect(cluster.history == alone.history && cluster.samples == alone.samples && cluster.latents == alone.latents)
            // the Slurm task wrote the point's TensorBoard run as a local worker does
            if let events = try TensorBoardTests.read("\(results)/sweep-drill/\(ids[index])/tensorboard"),
               let local = try TensorBoardTests.read("\(local)/sweep-drill/\(ids[index])/tensorboard") {
                #expect(events.scalars.filter { !$0.hasPrefix("metrics/") } == TensorBoardTests.scalars(cluster.history))
                #expect(events.scalars == local.scalars && events.images.map(\.png) == local.images.map(\.png))
                #expect(events.hparams.start != nil && events.hparams.start == local.hparams.start && events.hparams.end == 1)
            }
        }

        // resubmission: only the missing point; the completed files untouched; the failed one
        // skipped with a note, then submitted with --retry-failed
        try FileManager.default.removeItem(atPath: "\(results)/sweep-drill/\(ids[3])")
        let kept = try Data(contentsOf: URL(fileURLWithPath: "\(results)/sweep-drill/\(ids[0])/run.h5"))
        let again = try SlurmTests.submit(file, results: results, ["--jobs", "2"])
        #expect(again.output.contains("submitted 1 point of 4") && again.output.contains("failed before"), "\(again.output)")
        let script = try String(contentsOfFile: "\(results)/sweep-drill/slurm/sweep-\(try SlurmTests.sweepID(results))-0.sh", encoding: .utf8)
        #expect(script.contains("#SBATCH --array=3%2"), "\(script)")
        try SlurmTests.wait(again.jobs)
        #expect(SlurmTests.status(results, ids[3]).state == .completed)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(results)/sweep-drill/\(ids[0])/run.h5")) == kept)
        let retried = try SlurmTests.submit(file, results: results, ["--retry-failed"])
        #expect(retried.output.contains("submitted 1 point of 4"), "\(retried.output)")
        try SlurmTests.wait(retried.jobs)
        #expect(SlurmTests.status(results, ids[1]).state == .failed)
        let nothing = try SlurmTests.submit(file, results: results, [])
        #expect(nothing.output.contains("nothing to submit: 3 of 4 points completed") && nothing.jobs.isEmpty, "\(nothing.output)")
    }

    /// A task signalled before its time limit checkpoints, asks Slurm to requeue it, and the
    /// requeued task finishes with the bits of a run never stopped. (Slurm holds a requeued
    /// task for about two minutes; the test releases it at once with `scontrol update`.)
    @Test func aSignalledTaskCheckpointsIsRequeuedAndFinishesBitIdentically() throws {
        if let reason = try SlurmTests.slurm() { print("skipped: no local Slurm: \(reason)"); return }
        let (file, results) = try ParallelSweepTests.drill(long: 4000)
        let ids = try ParallelSweepTests.runIDs(file)
        let (_, jobs) = try SlurmTests.submit(file, results: results, ["--where", "train.optimizer.sgd.lr=0.02", "--time", "10:00"])
        let task = "\(jobs[0])_2"
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, SlurmTests.status(results, ids[2]).state != .running { Thread.sleep(forTimeInterval: 0.1) }
        Thread.sleep(forTimeInterval: 1)
        #expect(try Repository.run("scancel", ["--signal=USR1", "--batch", task]).status == 0)
        var state = ""
        while Date() < deadline {
            state = try SlurmTests.tasks(jobs)?[task] ?? ""
            if state == "PENDING" { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(state == "PENDING", "after the signal the task is \(state)")
        let interrupted = SlurmTests.status(results, ids[2])
        #expect(interrupted.state == .interrupted && (interrupted.summary?.progress?.step ?? 0) > 0, "\(interrupted.state)")
        let log = try String(contentsOfFile: "\(results)/sweep-drill/slurm/\(jobs[0])_2.log", encoding: .utf8)
        #expect(log.contains("requeued (restart 1 of 3)"), "\(log)")
        // slurmd refuses a job's new launch credential issued in the same second as its
        // revocation at the requeue ("Job credential revoked"), which Slurm's own hold avoids
        Thread.sleep(forTimeInterval: 2)
        #expect(try Repository.run("scontrol", ["update", "JobId=\(task)", "StartTime=now"]).status == 0)
        try SlurmTests.wait(jobs)
        #expect(SlurmTests.status(results, ids[2]).state == .completed)
        let local = results + "-local"
        _ = try Repository.run(RunHarness.genlab, ["run", file, "--where", "train.optimizer.sgd.lr=0.02", "--results", local, "--quiet"])
        let cluster = try RunFile.read(path: "\(results)/sweep-drill/\(ids[2])/run.h5")
        let alone = try RunFile.read(path: "\(local)/sweep-drill/\(ids[2])/run.h5")
        #expect(RunHarness.weightBits(cluster) == RunHarness.weightBits(alone) ? true : false, "weights differ from the uninterrupted run")
        #expect(cluster.history == alone.history && cluster.samples == alone.samples)
    }

    /// On a cluster whose MaxArraySize is 3, a 4-point sweep goes as two arrays (indices 0–2,
    /// and index 3 as array index 0 with offset 3), and every point completes.
    @Test func sweepsLargerThanMaxArraySizeAreSplit() throws {
        if let reason = try SlurmTests.slurm() { print("skipped: no local Slurm: \(reason)"); return }
        _ = SlurmTests.slurmLocal("stop")
        defer { _ = SlurmTests.slurmLocal("stop"); _ = try? SlurmTests.slurm() }
        let small = SlurmTests.slurmLocal("start", environment: "GENLAB_SLURM_MAX_ARRAY_SIZE=3")
        try #require(small.status == 0, "\(small.output)")
        let (file, results) = try ParallelSweepTests.drill(long: 300)
        let (output, jobs) = try SlurmTests.submit(file, results: results, ["--set", "sweep.zip.train.optimizer.sgd.lr=[0.01, 0.04, 0.02, 0.03]"])
        #expect(output.contains("submitted 4 points of 4") && jobs.count == 2, "\(output)")
        let folder = "\(results)/sweep-drill/slurm"
        let scripts = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sh") }.sorted()
        let texts = try scripts.map { try String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8) }
        #expect(texts.count == 2 && texts[0].contains("#SBATCH --array=0-2\n") && texts[1].contains("#SBATCH --array=0\n")
                && texts[1].contains("point=$((SLURM_ARRAY_TASK_ID + 3))"), "\(texts)")
        try SlurmTests.wait(jobs)
        let ids = try ParallelSweepTests.runIDs(file, ["--set", "sweep.zip.train.optimizer.sgd.lr=[0.01, 0.04, 0.02, 0.03]"])
        #expect(ids.map { SlurmTests.status(results, $0).state } == [.completed, .completed, .completed, .completed])
    }

    /// Arrays are cut below MaxArraySize with offsets; the script throttles and carries every
    /// option; options that do not fit the launcher are refused.
    @Test func scriptsAndOptions() throws {
        #expect(SlurmJobScript.arrays([0, 1, 2, 5, 1001, 1002, 2500], maxArraySize: 1001)
                == [.init(offset: 0, indices: [0, 1, 2, 5]), .init(offset: 1001, indices: [1001, 1002]), .init(offset: 2002, indices: [2500])])
        let launcher = SlurmJobScript(options: .init(jobs: 3, partition: "gpu", time: "1:00:00", cpus: 4, sbatchArguments: ["--mem=8G"]),
                                     manifestPath: "/shared/results/x/sweep-ab12.json", experiment: "x", executable: "/shared/genlab/genlab")
        let script = launcher.script(.init(offset: 1001, indices: [1001, 1002, 1003, 1007]))
        for line in ["#SBATCH --array=0-2,6%3", "#SBATCH --partition=gpu", "#SBATCH --time=1:00:00", "#SBATCH --cpus-per-task=4",
                     "#SBATCH --mem=8G", "#SBATCH --requeue", "#SBATCH --signal=B:USR1@120", "#SBATCH --output=/shared/results/x/slurm/%A_%a.log",
                     "point=$((SLURM_ARRAY_TASK_ID + 1001))", "genlab='/shared/genlab/genlab'", "sweep='/shared/results/x/sweep-ab12.json'"] {
            #expect(script.contains(line), "\(line)")
        }
        let bash = try Repository.run("bash", ["-n", "-c", script])
        #expect(bash.status == 0, "\(bash.output)")
        let (file, results) = try ParallelSweepTests.drill(long: 300)
        let refusals: [([String], String)] = [(["--partition", "p"], "--partition is for --launcher slurm"),
                                   (["--launcher", "slurm", "--overwrite"], "--overwrite cannot go with --launcher slurm"),
                                   (["--max-requeues", "3"], "--max-requeues is for --launcher slurm"),
                                   (["--launcher", "slurm", "--sbatch-arg", "mem=1G"], "--sbatch-arg takes one sbatch option")]
        for (options, message) in refusals {
            let run = try Repository.run(RunHarness.genlab, ["run", file, "--results", results] + options)
            #expect(run.status == 64 && run.output.contains(message), "\(run.output)")
        }
        let dry = try Repository.run(RunHarness.genlab, ["run", file, "--results", results, "--launcher", "slurm", "--jobs", "2", "--dry-run"])
        #expect(dry.status == 0 && dry.output.contains("#SBATCH --array=0-3%2") && dry.output.contains(" worker \"$sweep\" \"$point\""), "\(dry.output)")
        #expect(!FileManager.default.fileExists(atPath: results), "a dry run wrote into the results folder")
    }
}
