import ArgumentParser
import Foundation
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTraining

/// `genlab run FILE`: trains an experiment's points and records them.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an experiment's sweep (its points not yet completed, several at once in worker processes) and record each point in HDF5.",
        discussion: """
        Each point writes results/<experiment>/<run id>/run.h5 (and, trained by a worker, its \
        output to run.log beside it). Rerunning the same command skips completed points, \
        continues interrupted or killed ones from their last checkpoint (bit-identically) and \
        skips failed ones unless --retry-failed. Ctrl-C or SIGTERM makes every point \
        checkpoint and stop (exit 130); a failed point does not stop the others (exit 1 at \
        the end). 'genlab status' shows where each point stands.
        """
    )

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: "Run only the point with this run id (as 'genlab plan' with the same --set, --epochs and --steps lists them).")
    var point: String?

    @Option(help: "Points trained at once, each in its own worker process (default: the file's sweep.parallel, else the number of cores); 1 trains them one after another in this process.")
    var jobs: Int?

    @Option(help: "BLAS threads per point (default: the cores divided among the points trained at once).")
    var threads: Int?

    @Option(help: "What the matrix products multiply this time, instead of the file's train.precision: fp32, bf16 or auto (a bf16 run continued in fp32, for instance); not part of the points' identity.")
    var precision: PrecisionSpec.Choice?

    @Flag(help: "Also train the points whose last attempt failed (continued from their last checkpoint).")
    var retryFailed = false

    @Flag(help: "Continue the points the sweep's successive halving pruned, from their checkpoints, to the end (without pruning them again).")
    var retryPruned = false

    @Flag(help: "Stop the sweep at the first failure (running points checkpoint and stop).")
    var failFast = false

    @Flag(help: "Start the selected points again, replacing their run files.")
    var overwrite = false

    @Flag(help: .hidden)
    var resume = false

    @Option(help: "Stop each point with a checkpoint (status interrupted) once this many steps are done; a rerun continues it.")
    var stopAfter: Int?

    @Option(help: "The results folder.")
    var results = "results"

    @Flag(help: "Print only failures and the summary's problems.")
    var quiet = false

    @Option(help: "Where the points train: local (worker processes on this machine) or slurm (one Slurm job array, one task per point not completed; GenLab submits it and exits).")
    var launcher: Launcher = .local

    @Option(help: "slurm: the partition.")
    var partition: String?

    @Option(help: "slurm: each task's time limit, in Slurm's format (1:00:00); the task checkpoints before it and is requeued.")
    var time: String?

    @Option(help: "slurm: CPUs per task, also the worker's BLAS threads (default 1).")
    var cpus: Int?

    @Option(name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue, help: "slurm: one more sbatch option for the script, e.g. --sbatch-arg=--mem=8G (repeatable).")
    var sbatchArguments: [String] = []

    @Option(help: "slurm: how many times a task is requeued after its time-limit signal or a preemption (default 3).")
    var maxRequeues: Int?

    @Flag(help: "slurm: print the sbatch script instead of submitting it.")
    var dryRun = false

    /// Where the points train.
    enum Launcher: String, ExpressibleByArgument {
        case local, slurm
    }

    func validate() throws {
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1 (a number of steps)") }
        try checkProcessorCount(jobs, "--jobs")
        try checkProcessorCount(threads, "--threads")
        if launcher == .local { try precision?.checkHere() }
        if results.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--results must name a folder") }
        if overwrite && retryFailed { throw ValidationError("give --overwrite or --retry-failed, not both (--overwrite starts every selected point again)") }
        let slurmOnly = [("--partition", partition != nil), ("--time", time != nil), ("--cpus", cpus != nil),
                         ("--sbatch-arg", !sbatchArguments.isEmpty), ("--dry-run", dryRun), ("--max-requeues", maxRequeues != nil)]
        if launcher == .local, let given = slurmOnly.first(where: \.1) { throw ValidationError("\(given.0) is for --launcher slurm") }
        if launcher == .slurm {
            if overwrite { throw ValidationError("--overwrite cannot go with --launcher slurm (a requeued task would start again): remove the points' folders, or run them locally with --overwrite") }
            if threads != nil { throw ValidationError("with --launcher slurm the threads are the task's CPUs: give --cpus") }
            if stopAfter != nil || failFast { throw ValidationError("--stop-after and --fail-fast are for local runs; Slurm's --time limits a task") }
            try checkProcessorCount(cpus, "--cpus")
            if let maxRequeues, !(0...1000).contains(maxRequeues) { throw ValidationError("--max-requeues must be between 0 and 1000") }
            let options = SlurmJobScript.Options(partition: partition, time: time, sbatchArguments: sbatchArguments)
            if let problem = options.problem { throw ValidationError(problem) }
        }
    }

    func run() throws {
        RunInterruption.install()
        if resume { printError("note: --resume is what 'genlab run' always does now (a rerun continues unfinished points); it can be left out") }
        let plan = try SweepPlan(experiment.selection, point: point, results: results, checkPrecision: launcher == .local && precision == nil)
        let runtime: any GenLabSweeps.Launcher
        switch launcher {
        case .slurm:
            // --jobs, else the file's sweep.parallel, throttles the array
            runtime = SlurmLauncher(
                retryFailed: retryFailed, retryPruned: retryPruned, precision: precision,
                options: SlurmJobScript.Options(jobs: jobs ?? plan.parallel, partition: partition, time: time, cpus: cpus ?? 1,
                                                sbatchArguments: sbatchArguments, maxRequeues: maxRequeues ?? 3),
                dryRun: dryRun)
        case .local:
            runtime = LocalLauncher(options: SweepOptions(
                jobs: jobs ?? plan.parallel ?? ProcessInfo.processInfo.activeProcessorCount, threads: threads,
                retryFailed: retryFailed, failFast: failFast,
                run: RunOptions(results: results, overwrite: overwrite, stopAfter: stopAfter, quiet: quiet, retryPruned: retryPruned,
                                precision: precision)))
        }
        // a dry run writes nothing
        if !(launcher == .slurm && dryRun) { try plan.writeManifest() }
        let report = try runtime.launch(plan, note: printError)
        for line in report.lines { print(line) }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }
}
