import Foundation
import GenLabReport
import GenLabResults
import GenLabStore
import GenLabTestSupport
import Testing

/// Pruned sweeps trained by real processes: synchronous successive halving prunes the same
/// points and ends with the same bits with `--jobs 1`, with `--jobs 2` killed by SIGKILL and
/// rerun, and as Slurm job arrays; pruned points show as such everywhere, a rerun leaves
/// them, `--retry-pruned` continues them; mistakes in `sweep.prune` are located errors.
@Suite(.serialized) struct PrunedSweepTests {
    /// Six points of a small MLP VAE (β × learning rate), 450 steps, rungs at 50 and 150
    /// (η = 3): 6 → 2 → 1 point trained to the end.
    static let experiment = """
        name: sweep-drill
        seed: 0
        dataset: {name: fashion-mnist, subset: 2048}
        model:
          kind: vae
          latent: 4
          encoder: [flatten, {linear: {out: 256}}, relu]
          decoder: mirror
          likelihood: mse
        train: {steps: 450, batch_size: 64, optimizer: {adam: {lr: 1.0e-3}}}
        record:
          losses_every: 10
          validation: {every: 150, count: 256}
          samples: none
          checkpoint: {every: 25}
        sweep:
          grid:
            model.beta: [0.1, 1.0, 4.0]
            train.optimizer.adam.lr: [1.0e-4, 3.0e-3]
          prune: {metric: validation.total, min_steps: 50, reduction_factor: 3}

        """

    static func drill(_ text: String = experiment) throws -> (file: String, results: String) {
        let folder = try TestFolder.make("pruned")
        let file = folder.appendingPathComponent("drill.yaml").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return (file, folder.appendingPathComponent("results").path)
    }

    static func runIDs(_ file: String) throws -> [String] {
        let plan = try Repository.run(RunHarness.genlab, ["plan", file])
        let ids = plan.output.split(separator: "\n").filter { $0.hasPrefix("  beta=") }.map { String($0.split(separator: " ")[0]) }
        #expect(ids.count == 6, "\(plan.output)")
        return ids
    }

    /// The rung table of the sweep in `results`, if it has one.
    static func tablePath(_ results: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(results)/sweep-drill")) ?? []
        return names.first { $0.hasPrefix("rungs-") && $0.hasSuffix(".json") }.map { "\(results)/sweep-drill/\($0)" }
    }

    /// The rung table's text.
    static func table(_ results: String) throws -> String {
        ParallelSweepTests.text(try #require(tablePath(results), "no rung table in \(results)"))
    }

    /// A sweep trained one point after another in this process: the reference.
    static func reference(_ file: String) throws -> String {
        let reference = try TestFolder.make("pruned-reference").path
        let alone = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "1", "--results", reference])
        #expect(alone.status == 0, "\(alone.output)")
        return reference
    }

    /// Every point's run file and the rung table equal the reference's; the right points
    /// were pruned at the right rungs.
    static func expectSameSweep(_ results: String, _ reference: String, _ ids: [String]) throws {
        try ParallelSweepTests.expectSameRuns(results, reference, ids)
        for id in ids {
            let a = try RunFile.readSummary(path: "\(results)/sweep-drill/\(id)/run.h5").metadata
            let b = try RunFile.readSummary(path: "\(reference)/sweep-drill/\(id)/run.h5").metadata
            #expect(a.stopped == b.stopped, "\(id)")
        }
        #expect(try table(results) == table(reference))
        let statuses = try ids.map { try RunFile.readSummary(path: "\(reference)/sweep-drill/\($0)/run.h5") }
        #expect(statuses.filter { $0.metadata.status == .completed }.count == 1)
        #expect(statuses.filter { $0.metadata.status == .pruned }.map { $0.progress?.step }.sorted { ($0 ?? 0) < ($1 ?? 0) } == [50, 50, 50, 50, 150])
    }

    @Test func sameDecisionsWithOneOrTwoJobsKilledAndRerun() throws {
        let (file, results) = try PrunedSweepTests.drill()
        let ids = try PrunedSweepTests.runIDs(file)
        let reference = try PrunedSweepTests.reference(file)
        let sweep = try ParallelSweepTests.start(["run", file, "--jobs", "2", "--results", results], output: results + "-killed.txt")
        // killed (the command and its workers) once the first points have reported at rung 50
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, !(PrunedSweepTests.tablePath(results).map(ParallelSweepTests.text)?.contains("run_id") ?? false) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let workers = ids.compactMap { RunLock.holder(folder: "\(results)/sweep-drill/\($0)") }.filter { $0 > 0 }
        kill(sweep.processIdentifier, SIGKILL)
        for pid in workers { kill(pid, SIGKILL) }
        sweep.waitUntilExit()
        let rerun = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "2", "--results", results])
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(rerun.output.contains("6 points: ") && rerun.output.contains("pruned"), "\(rerun.output)")
        try PrunedSweepTests.expectSameSweep(results, reference, ids)
    }

    /// A `run --where` of two points waits at the first rung for the four others (exit 130,
    /// "waiting" in `status`); a second `run` of the whole sweep decides the rung and ends
    /// with the reference's bits.
    @Test func aSelectionWaitsForTheOthers() throws {
        let (file, results) = try PrunedSweepTests.drill()
        let ids = try PrunedSweepTests.runIDs(file)
        let part = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "2", "--results", results, "--where", "model.beta=0.1"])
        #expect(part.status == 130 && part.output.contains("2 waiting at a rung"), "\(part.output)")
        let status = try Repository.run(RunHarness.genlab, ["status", "\(results)/sweep-drill"]).output
        #expect(status.contains("interrupted (waiting at rung 50 for the other points)") && status.contains("2 interrupted, 4 not started"), "\(status)")
        let rest = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "2", "--results", results])
        #expect(rest.status == 0, "\(rest.output)")
        try PrunedSweepTests.expectSameSweep(results, try PrunedSweepTests.reference(file), ids)
    }

    /// `max_steps: 150` stops the two points past rung 50 at step 150, `interrupted` at the
    /// budget; the default budget (the run's 450 steps) then continues them from their
    /// checkpoints, and the sweep ends as one never cut.
    @Test func widenedBudgetContinues() throws {
        let (file, results) = try PrunedSweepTests.drill()
        let ids = try PrunedSweepTests.runIDs(file)
        let narrow = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "2", "--results", results, "--set", "sweep.prune.max_steps=150"])
        #expect(narrow.status == 130, "\(narrow.output)")
        let summaries = try ids.map { try RunFile.readSummary(path: "\(results)/sweep-drill/\($0)/run.h5") }
        let cut = summaries.filter { $0.metadata.status == .interrupted }
        #expect(cut.count == 2 && cut.allSatisfy { $0.progress?.step == 150 && $0.metadata.stopped?.contains("max_steps = 150 of 450") == true }, "\(narrow.output)")
        let wide = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "2", "--results", results])
        #expect(wide.status == 0, "\(wide.output)")
        try PrunedSweepTests.expectSameSweep(results, try PrunedSweepTests.reference(file), ids)
    }

    /// Pruned points: `status`, `compare`, `report`, `inspect` and the Python reader say so; a
    /// rerun leaves them; `--retry-pruned` continues one from its checkpoint to the end.
    @Test func prunedPointsShowAndStayUntilRetried() throws {
        let (file, _) = try PrunedSweepTests.drill()
        let ids = try PrunedSweepTests.runIDs(file)
        let results = try PrunedSweepTests.reference(file)
        let folder = "\(results)/sweep-drill"
        let status = try Repository.run(RunHarness.genlab, ["status", folder]).output
        #expect(status.contains("1 completed, 5 pruned") && status.contains("pruned at step 50") && status.contains("pruned at step 150"), "\(status)")
        let compare = try Repository.run(RunHarness.genlab, ["compare", folder, "--format", "csv"]).output
        #expect(compare.contains("pruned at step 50") && compare.contains("best.validation.total"), "\(compare)")
        let pruned = try #require(ids.first { (try? RunFile.readSummary(path: "\(folder)/\($0)/run.h5").metadata.status) == .pruned })
        let inspect = try Repository.run(RunHarness.genlab, ["inspect", "\(folder)/\(pruned)/run.h5"]).output
        #expect(inspect.contains("stopped      pruned at step") && inspect.contains("validation   on the first 256 test images"), "\(inspect)")
        let report = try Repository.run(RunHarness.genlab, ["report", folder, "--out", "\(results)/report"])
        #expect(report.status == 0, "\(report.output)")
        let html = ParallelSweepTests.text("\(results)/report/index.html")
        #expect(html.contains("pruned at step 50") && html.contains("validation.total"))
        // validation curves join their points across the rows without a validation: the
        // completed point's and the one pruned at 150 are lines (one pruned at 50 is a point)
        let plots = try Repository.run(RunHarness.genlab, ["compare", folder, "--plot", "\(results)/plots"])
        #expect(plots.status == 0, "\(plots.output)")
        let svg = ParallelSweepTests.text("\(results)/plots/loss-validation.total.svg")
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2, "\(svg.prefix(300))")
        let python = try Repository.run("python3", ["-c", """
            import sys; sys.path.insert(0, '\(Repository.root.path)/python')
            import genlab, math
            run = genlab.Run('\(folder)/\(pruned)')
            v = run.history['validation.total']
            print(run.status, '|', run.stopped.split(':')[0], '|', run.validation_images, '|', int(math.isnan(v[0])), int(v[-1] == v[-1]))
            """])
        #expect(python.output.hasPrefix("pruned | pruned at step") && python.output.contains("| the first 256 test images | 1 1"), "\(python.output)")

        let before = try RunFile.read(path: "\(folder)/\(pruned)/run.h5")
        let bytes = FileManager.default.contents(atPath: "\(folder)/\(pruned)/run.h5")
        let again = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "1", "--results", results])
        #expect(again.status == 0 && again.output.contains("5 pruned earlier"), "\(again.output)")
        #expect(FileManager.default.contents(atPath: "\(folder)/\(pruned)/run.h5") == bytes, "a rerun leaves pruned points")

        let retried = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "1", "--results", results, "--retry-pruned", "--point", pruned])
        #expect(retried.status == 0, "\(retried.output)")
        let after = try RunFile.read(path: "\(folder)/\(pruned)/run.h5")
        #expect(after.metadata.status == .completed && after.state?.progress.step == 450 && after.metadata.stopped == nil)
        let rows = before.history.count
        #expect(Array(after.history.steps.prefix(rows)) == before.history.steps && after.history.columns["total"].map { Array($0.prefix(rows)) } == before.history.columns["total"],
                "continued from its checkpoint, its history kept")
    }

    /// Asynchronous successive halving: no point waits; every point ends pruned at a rung or
    /// completed, as its report in the table says.
    @Test func asynchronousSweepEnds() throws {
        let (file, results) = try PrunedSweepTests.drill(PrunedSweepTests.experiment.replacingOccurrences(of: "reduction_factor: 3}", with: "reduction_factor: 3, strategy: asynchronous}"))
        let ids = try PrunedSweepTests.runIDs(file)
        let run = try Repository.run(RunHarness.genlab, ["run", file, "--jobs", "2", "--results", results])
        #expect(run.status == 0 && !run.output.contains("waiting at"), "\(run.output)")
        let table = try RungTable.read(path: try #require(PrunedSweepTests.tablePath(results)))
        for id in ids {
            let summary = try RunFile.readSummary(path: "\(results)/sweep-drill/\(id)/run.h5")
            let step = Int(summary.progress?.step ?? 0)
            if summary.metadata.status == .pruned {
                #expect(table.report(of: id, at: step)?.decision == .pruned, "\(id) pruned at \(step)")
            } else {
                #expect(summary.metadata.status == .completed && step == 450 && [50, 150].allSatisfy { table.report(of: id, at: $0)?.decision == .promoted }, "\(id)")
            }
        }
        // the first point to reach a rung always goes on (Optuna's rule for fewer than η values)
        #expect(table.rungs.allSatisfy { $0.reports.first?.decision == .promoted })
    }

    /// Mistakes in `sweep.prune` stop `run` before anything trains, naming the place.
    @Test(arguments: [
        ("metric: validation.total", "metric: validation.totl", "'sweep.prune.metric' is 'validation.totl', not a history column; the history has reconstruction, kl, total, validation.reconstruction, validation.kl, validation.total"),
        ("  validation: {every: 150, count: 256}\n", "", "(validation columns need 'record.validation')"),
        ("min_steps: 50, reduction_factor: 3", "min_steps: 50, reduction_factor: 1", "'sweep.prune.reduction_factor'"),
        ("min_steps: 50, reduction_factor: 3", "rungs: [50, 450]", "rung 450 of 'sweep.prune.rungs' is not before the end of training (step 450)"),
        ("min_steps: 50, reduction_factor: 3", "rungs: [150, 50]", "'sweep.prune.rungs' must increase"),
        ("    model.beta: [0.1, 1.0, 4.0]\n    train.optimizer.adam.lr: [1.0e-4, 3.0e-3]\n", "    model.beta: [0.1]\n", "needs a sweep of at least two points"),
    ])
    func badPruning(_ replaced: String, _ by: String, _ message: String) throws {
        let text = PrunedSweepTests.experiment.replacingOccurrences(of: replaced, with: by)
        #expect(text != PrunedSweepTests.experiment)
        let (file, results) = try PrunedSweepTests.drill(text)
        let run = try Repository.run(RunHarness.genlab, ["run", file, "--results", results])
        #expect(run.status != 0 && run.output.contains(message) && run.output.contains("drill.yaml:"), "\(run.output)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: "\(results)/sweep-drill")) ?? []
        #expect(written.allSatisfy { !$0.hasPrefix("beta=") }, "nothing trained: \(written)")
    }
}

/// In the Slurm suite, whose tests take turns with the local Slurm (one of them restarts it
/// with a smaller `MaxArraySize`).
extension SlurmTests {
    /// The same sweep as Slurm job arrays on the local Slurm: one wave of arrays per rung,
    /// each after the one before; the same decisions and bits as the local sweep.
    @Test func slurmWavesPruneTheSamePoints() throws {
        if let reason = try SlurmTests.slurm() { print("skipped: no local Slurm: \(reason)"); return }
        let (file, results) = try PrunedSweepTests.drill()
        let ids = try PrunedSweepTests.runIDs(file)
        let reference = try PrunedSweepTests.reference(file)
        let (output, jobs) = try SlurmTests.submit(file, results: results, ["--jobs", "2"])
        #expect(output.contains("submitted 6 points of 6") && output.contains("3 waves") && jobs.count == 3, "\(output)")
        let second = try String(contentsOfFile: "\(results)/sweep-drill/slurm/sweep-\(try SlurmTests.sweepID(results))-1.sh", encoding: .utf8)
        #expect(second.contains("#SBATCH --dependency=afterany:\(jobs.first ?? "?")"), "\(second)")
        try SlurmTests.wait(jobs, seconds: 300)
        try PrunedSweepTests.expectSameSweep(results, reference, ids)
    }
}
