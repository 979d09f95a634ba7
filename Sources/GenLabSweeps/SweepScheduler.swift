import Foundation
import GenLabResults
import GenLabSpec
import GenLabTensor
import GenLabTraining
import Glibc

/// How `genlab run` trains a sweep's points.
public struct SweepOptions: Sendable {
    /// Points trained at once, each in its own worker process; 1 trains them one after
    /// another in this process.
    public var jobs: Int
    /// BLAS threads per point; nil: the cores divided among the points trained at once.
    public var threads: Int?
    /// Train points whose last attempt failed (continued from their last checkpoint).
    public var retryFailed: Bool
    /// Stop the sweep (every worker checkpoints) at the first failure.
    public var failFast: Bool
    /// Where results go, `overwrite`, `stopAfter`, `quiet`, `retryPruned`; the launcher sets
    /// `pruning` from the sweep's definition.
    public var run: RunOptions

    public init(jobs: Int, threads: Int?, retryFailed: Bool, failFast: Bool, run: RunOptions) {
        self.jobs = jobs
        self.threads = threads
        self.retryFailed = retryFailed
        self.failFast = failFast
        self.run = run
    }
}

/// Trains the selected points of a sweep: those completed are skipped, those interrupted or
/// killed continued from their last checkpoint, those failed skipped unless asked; with more
/// than one job, each point in a worker process (`WorkerProcess`), so a crash in one cannot
/// take down another. Failures are reported when they happen and the others go on (unless
/// `failFast`); Ctrl-C or SIGTERM makes every worker checkpoint and stop. The command ends
/// with a summary table.
public final class SweepScheduler {
    /// How one selected point ended in this command.
    public enum Result: String, Sendable {
        case completed
        case completedEarlier = "completed earlier"
        case failed
        case failedEarlier = "failed earlier"
        case interrupted
        case killed
        case runningElsewhere = "running elsewhere"
        case notStarted = "not started"
        case pruned
        case prunedEarlier = "pruned earlier"
        /// At a synchronous rung whose other points are outside this command (`--where`,
        /// another process): a rerun continues it once they have reported.
        case waiting = "waiting at a rung"
    }

    /// A row of the summary.
    public struct Row: Sendable {
        public var index: Int
        public var result: Result
        /// The failure's message, or the signal that killed the worker.
        public var detail: String?
        /// Seconds this command spent on the point.
        public var seconds: Double?
    }

    let manifest: SweepManifest
    let manifestPath: String
    let points: [ExperimentPoint]
    let selected: [Int]
    let options: SweepOptions
    let display: SweepDisplay
    private var rows: [Int: Row] = [:]
    private var queue: [Int] = []
    private let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    private var pointSeconds: [Double] = []
    /// Points stopped at a synchronous rung (the step they stopped at), until it is decided.
    private var parked: [(index: Int, step: Int)] = []

    /// - Parameters:
    ///   - points: every point of the sweep, in the manifest's order.
    ///   - selected: the indices to train.
    public init(manifest: SweepManifest, manifestPath: String, points: [ExperimentPoint], selected: [Int], options: SweepOptions) {
        self.manifest = manifest
        self.manifestPath = manifestPath
        self.points = points
        self.selected = selected
        var options = options
        options.run.sweep = manifest
        self.options = options
        display = SweepDisplay(quiet: options.run.quiet)
    }

    func files(_ index: Int) -> PointFiles {
        PointFiles(results: options.run.results, experiment: manifest.experiment, runID: manifest.points[index].runID)
    }

    /// Trains the points; returns the summary's rows in sweep order and the exit status: 130
    /// after Ctrl-C or SIGTERM, else 1 when a point failed, was killed or was skipped (failed
    /// before, running elsewhere), else 130 when points stopped at `--stop-after`, else 0.
    public func run() -> (rows: [Row], exitStatus: Int32) {
        decide()
        let jobs = min(options.jobs, queue.count)
        let threads = options.threads ?? max(1, cores / max(jobs, 1))
        announce(jobs: jobs, threads: threads)
        if jobs <= 1 {
            BLAS.setThreads(threads)
            runInProcess()
        } else {
            runWorkers(jobs: jobs, threads: threads)
        }
        let ordered = selected.compactMap { rows[$0] }
        let unfinished = ordered.filter { ![.completed, .completedEarlier, .interrupted, .notStarted, .pruned, .prunedEarlier, .waiting].contains($0.result) }
        let status: Int32 = RunInterruption.isRequested ? 130 : !unfinished.isEmpty ? 1
            : ordered.contains { [.interrupted, .waiting].contains($0.result) } ? 130 : 0
        return (ordered, status)
    }

    /// Sorts the selected points into those to train and those to leave, from their files.
    private func decide() {
        for index in selected {
            let status = PointStatus.read(files(index))
            switch status.plan(overwrite: options.run.overwrite, retryFailed: options.retryFailed, retryPruned: options.run.retryPruned) {
            case .prunedEarlier:
                rows[index] = Row(index: index, result: .prunedEarlier, detail: status.stopped)
            case .runningElsewhere:
                let detail = "another genlab process\(status.pid.map { " (pid \($0))" } ?? "") is training this point (it holds \(files(index).lock))"
                rows[index] = Row(index: index, result: .runningElsewhere, detail: detail)
                display.event("skipped \(manifest.points[index].runID): \(detail)", problem: true)
            case .completedEarlier:
                rows[index] = Row(index: index, result: .completedEarlier)
            case .failedEarlier:
                rows[index] = Row(index: index, result: .failedEarlier, detail: status.failure)
                display.event("skipped \(manifest.points[index].runID): it failed before (\(status.failure ?? "no message")); --retry-failed continues it from its last checkpoint, --overwrite starts it again", problem: true)
            case .train:
                queue.append(index)
            }
        }
    }

    private func announce(jobs: Int, threads: Int) {
        var parts: [String] = []
        for (result, label) in [(Result.completedEarlier, "completed before"), (.failedEarlier, "failed before (--retry-failed trains them)"),
                                (.prunedEarlier, "pruned before (--retry-pruned continues them)"),
                                (.runningElsewhere, "running in another process")] {
            let count = rows.values.filter { $0.result == result }.count
            if count > 0 { parts.append("\(count) \(label)") }
        }
        let how = queue.isEmpty ? "nothing to train"
            : "\(queue.count) to train, \(jobs <= 1 ? "one after another in this process" : "\(jobs) at a time in worker processes"), \(threads) BLAS thread\(threads == 1 ? "" : "s") each"
        let size = points.count == selected.count ? "\(points.count) point\(points.count == 1 ? "" : "s")" : "\(selected.count) of \(points.count) points"
        display.event("sweep \(manifest.experiment): \(size); \(how)" + (parts.isEmpty ? "" : "; " + parts.joined(separator: ", ")))
    }

    // MARK: one after another, in this process

    private func runInProcess() {
        let datasets = DatasetCache()
        var options = self.options.run
        options.log = true
        var pending = queue[...]
        while true {
            // points parked at a rung go again once it is decided
            if pending.isEmpty { pending = readyParked()[...] }
            guard let index = pending.popFirst() else { break }
            if RunInterruption.isRequested || stopping {
                rows[index] = Row(index: index, result: .notStarted)
                continue
            }
            let start = Date().timeIntervalSince1970
            let outcome = PointRunner.attempt(points[index], options: options, datasets: datasets)
            finish(index, outcome: outcome, seconds: Date().timeIntervalSince1970 - start, log: files(index).log)
        }
    }

    /// The parked points whose rung is now decided, taken off the parked list.
    private func readyParked() -> [Int] {
        guard let pruning = options.run.pruning, !parked.isEmpty,
              let table = try? RungTable.read(path: pruning.table) else { return [] }
        let ready = parked.filter { $0.step < 0 || table.report(of: manifest.points[$0.index].runID, at: $0.step)?.decision != nil }.map(\.index)
        parked.removeAll { ready.contains($0.index) }
        return ready
    }

    /// Set by a failure under `failFast`.
    private var stopping = false
    /// Whether points are trained by workers (whose ends this process reports, as their own
    /// output goes to their logs).
    private var usesWorkers = false

    /// Records how a point ended and says so.
    private func finish(_ index: Int, outcome: PointOutcome, seconds: Double, log: String?) {
        let runID = manifest.points[index].runID
        let logText = log.map { " (log: \($0))" } ?? ""
        switch outcome {
        case .completed, .alreadyCompleted:
            rows[index] = Row(index: index, result: .completed, seconds: seconds)
            pointSeconds.append(seconds)
            if usesWorkers { display.event("completed \(runID) in \(ProgressText.duration(seconds))") }
        case .interrupted:
            rows[index] = Row(index: index, result: .interrupted, seconds: seconds)
        case .pruned(let why):
            rows[index] = Row(index: index, result: .pruned, detail: why, seconds: seconds)
            if usesWorkers { display.event("pruned \(runID): \(why)") }
        case .waiting(let why):
            rows[index] = Row(index: index, result: .waiting, detail: why, seconds: seconds)
            // its checkpoint is at the rung it waits at (-1 when unreadable: started again at
            // once, to say why)
            parked.append((index, Int(PointStatus.read(files(index)).summary?.progress?.step ?? -1)))
        case .busy(let message):
            rows[index] = Row(index: index, result: .runningElsewhere, detail: message, seconds: seconds)
            display.event("skipped \(runID): \(message)", problem: true)
        case .failed(let message):
            rows[index] = Row(index: index, result: .failed, detail: message, seconds: seconds)
            display.event("FAILED \(runID): \(message)\(logText)", problem: true)
            if options.failFast && !stopping {
                stopping = true
                display.event("--fail-fast: stopping the sweep (running points checkpoint and stop)", problem: true)
            }
        }
    }

    // MARK: in worker processes

    private func runWorkers(jobs: Int, threads: Int) {
        usesWorkers = true
        signal(SIGPIPE, SIG_IGN)
        var running: [WorkerProcess] = []
        var waiting = queue[...]
        var stopSent = false
        let start = Date().timeIntervalSince1970
        while !running.isEmpty || !waiting.isEmpty {
            let halted = RunInterruption.isRequested || stopping
            if halted {
                for index in waiting { rows[index] = Row(index: index, result: .notStarted) }
                waiting = []
                if !stopSent {
                    running.forEach { $0.stop() }
                    stopSent = true
                }
            }
            while running.count < jobs, let index = waiting.first {
                waiting = waiting.dropFirst()
                do {
                    running.append(try launch(index, threads: threads))
                    display.event("started \(manifest.points[index].runID) (log: \(files(index).log))")
                } catch {
                    try? files(index).noteFailure(error.description)
                    finish(index, outcome: .failed(error.description), seconds: 0, log: nil)
                }
            }
            var descriptors = running.filter { $0.feed >= 0 }.map { pollfd(fd: $0.feed, events: Int16(POLLIN), revents: 0) }
            // a worker whose pipe has closed is exiting: look for its end again in 2 ms, not
            // 250 (the next point, or the sweep's end, would wait for nothing)
            _ = Glibc.poll(&descriptors, nfds_t(descriptors.count), descriptors.count < running.count ? 2 : 250)
            for worker in running { worker.readProgress() }
            running.removeAll { worker in
                guard let ending = worker.poll() else { return false }
                finish(worker, ending)
                return true
            }
            if waiting.isEmpty && !(RunInterruption.isRequested || stopping) { waiting = readyParked()[...] }
            showLive(running, waiting: waiting.count, jobs: jobs, start: start)
        }
        display.clear()
    }

    private func launch(_ index: Int, threads: Int) throws(RunError) -> WorkerProcess {
        let point = files(index)
        do {
            try FileManager.default.createDirectory(atPath: point.folder, withIntermediateDirectories: true)
        } catch {
            throw RunError(.io, "cannot create the results folder", path: point.folder)
        }
        var arguments = ["worker", manifestPath, String(index), "--threads", String(threads), "--progress-fd", "3"]
        if options.run.overwrite { arguments.append("--overwrite") }
        if let stopAfter = options.run.stopAfter { arguments += ["--stop-after", String(stopAfter)] }
        if options.run.retryPruned { arguments.append("--retry-pruned") }
        if let precision = options.run.precision { arguments += ["--precision", precision.rawValue] }
        return try WorkerProcess(index: index, arguments: arguments, log: point.log)
    }

    /// Turns a worker's end into the point's outcome; an end the worker could not explain
    /// (a crash, an unexpected status) is written to the point's failure note.
    private func finish(_ worker: WorkerProcess, _ ending: WorkerProcess.Ending) {
        let point = files(worker.index)
        let seconds = Date().timeIntervalSince1970 - worker.started
        let outcome: PointOutcome
        switch ending {
        case .exited(0): outcome = .completed
        case .exited(130): outcome = .interrupted
        case .exited(75): outcome = .busy("another process holds the point's lock")
        case .exited(76): outcome = .waiting(PointStatus.read(point).stopped ?? "waiting at a rung")
        case .exited(77): outcome = .pruned(PointStatus.read(point).stopped ?? "pruned")
        case .exited(1) where point.failure() != nil: outcome = .failed(point.failure()!)
        case .signalled(SIGKILL):
            rows[worker.index] = Row(index: worker.index, result: .killed, detail: "killed by SIGKILL (out of memory, or kill -9)", seconds: seconds)
            display.event("KILLED \(manifest.points[worker.index].runID): the worker was killed by SIGKILL (out of memory, or kill -9); a rerun continues it from its last checkpoint (log: \(point.log))", problem: true)
            return
        case .exited(let code):
            outcome = .failed("the worker exited with status \(code): \(SweepScheduler.lastLine(of: point.log) ?? "no message")")
        case .signalled(let signal):
            outcome = .failed("the worker crashed (signal \(signal), \(String(cString: strsignal(signal)))): \(SweepScheduler.lastLine(of: point.log) ?? "no message")")
        }
        if case .failed(let message) = outcome, point.failure() == nil { try? point.noteFailure(message) }
        finish(worker.index, outcome: outcome, seconds: seconds, log: point.log)
    }

    /// The last non-empty line of a log file (what a dying worker printed last).
    static func lastLine(of log: String) -> String? {
        guard let data = FileManager.default.contents(atPath: log) else { return nil }
        let text = String(decoding: data.suffix(4096), as: UTF8.self)
        return text.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { String($0).trimmingCharacters(in: .whitespaces) }
    }

    private func showLive(_ running: [WorkerProcess], waiting: Int, jobs: Int, start: Double) {
        let now = Date().timeIntervalSince1970
        var lines: [String] = []
        var estimates: [(elapsed: Double, total: Double?)] = []
        for worker in running {
            let runID = manifest.points[worker.index].runID
            let elapsed = now - worker.started
            guard let p = worker.progress.latest else {
                lines.append("  \(runID)  starting")
                estimates.append((elapsed, nil))
                continue
            }
            let fraction = p.total > 0 ? Double(p.step) / Double(p.total) : 0
            estimates.append((elapsed, fraction > 0.02 ? elapsed / fraction : nil))
            lines.append("  \(runID)  \(ProgressText.bar(fraction)) epoch \(p.epoch)/\(p.epochs) step \(p.step)/\(p.total)  "
                         + "\(ProgressText.text(of: p.losses))  \(Int(p.imagesPerSecond)) img/s")
        }
        // a point's time: the mean of those done here, else of what the running ones promise
        let promised = estimates.compactMap(\.total)
        let known = pointSeconds.isEmpty ? promised : pointSeconds
        var eta = "?"
        if !known.isEmpty {
            let perPoint = known.reduce(0, +) / Double(known.count)
            let left = estimates.map { max(0, ($0.total ?? perPoint) - $0.elapsed) }.reduce(0, +) + Double(waiting) * perPoint
            eta = ProgressText.duration(left / Double(max(jobs, 1)))
        }
        let count = { (r: Result) in self.rows.values.filter { $0.result == r }.count }
        let totals = "sweep \(manifest.experiment): \(count(.completed)) completed, \(running.count) running, \(count(.failed)) failed, "
            + "\(waiting) waiting · \(ProgressText.duration(now - start)) elapsed · ETA \(eta)"
        display.live(lines, totals: totals)
    }
}
