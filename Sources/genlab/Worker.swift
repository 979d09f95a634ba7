import ArgumentParser
import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTensor
import GenLabTraining
import Glibc

/// `genlab worker SWEEP INDEX`: trains one point of a sweep, as `genlab run` does in its
/// worker processes; usable by any scheduler that starts one task per index.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one point of a sweep, given its definition (results/<experiment>/sweep-<id>.json, written by 'genlab run') and the point's index.",
        discussion: """
        A completed point is left as it is; an interrupted or killed one is continued from its \
        last checkpoint; otherwise the point starts. Exit status: 0 completed, 130 interrupted \
        (Ctrl-C, SIGTERM, --stop-after), 1 failed (the message also in the point's run.failed), \
        75 when another process is training the point, 76 when it waits at a rung of a \
        synchronous pruned sweep for the other points, 77 when it is pruned.
        """
    )

    @Argument(help: "The sweep's definition, sweep-<id>.json in the experiment's results folder.")
    var sweep: String

    @Argument(help: "The point's index in the sweep (0-based, as 'genlab status' lists them).")
    var index: Int

    @Option(help: "BLAS threads.")
    var threads = 1

    @Option(help: "Send progress as JSON lines to this open file descriptor (used by 'genlab run').")
    var progressFd: Int32?

    @Flag(help: "Start the point again, replacing its run file.")
    var overwrite = false

    @Option(help: "Stop with a checkpoint once this many steps are done.")
    var stopAfter: Int?

    @Flag(help: "Also write the progress and a failure to the point's run.log (a scheduler's task log has them too).")
    var log = false

    @Flag(help: "Continue a point its sweep pruned, past its rung, without pruning it again.")
    var retryPruned = false

    @Option(help: "What the matrix products multiply instead of the file's train.precision: fp32, bf16 or auto.")
    var precision: PrecisionSpec.Choice?

    func validate() throws {
        try checkProcessorCount(threads, "--threads")
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1 (a number of steps)") }
        if let progressFd, fcntl(progressFd, F_GETFD) < 0 { throw ValidationError("--progress-fd \(progressFd) is not an open file descriptor") }
        try precision?.checkHere()
    }

    func run() throws {
        RunInterruption.install()
        // a progress pipe whose reader died reports EPIPE (and stops the run) instead of killing it
        signal(SIGPIPE, SIG_IGN)
        BLAS.setThreads(threads)
        let manifest = try SweepManifest.read(path: sweep)
        let point = try manifest.point(at: index, path: sweep)
        let folder = (sweep as NSString).deletingLastPathComponent
        guard (folder as NSString).lastPathComponent == manifest.experiment else {
            throw RunError(.manifest, "the sweep's definition must stay in its experiment's results folder '\(manifest.experiment)/' (it is in '\(folder)')", path: sweep)
        }
        var options = RunOptions(results: (folder as NSString).deletingLastPathComponent, overwrite: overwrite,
                                 stopAfter: stopAfter, progressFeed: progressFd, log: log,
                                 pruning: try manifest.pruning(path: sweep), retryPruned: retryPruned, precision: precision)
        options.sweep = manifest
        let outcome = PointRunner.attempt(point, options: options, datasets: DatasetCache())
        switch outcome {
        case .failed(let message), .busy(let message): printError(message)
        case .alreadyCompleted: print("run \(point.runID): already completed")
        case .pruned(let why), .waiting(let why): print("run \(point.runID): \(why)")
        case .completed, .interrupted: break
        }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
