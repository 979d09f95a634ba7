import Foundation
import GenLabStore

/// Where a sweep point stands, read from its files alone (no server, no database).
public struct PointStatus: Sendable {
    /// The states a point can be in.
    public enum State: String, Sendable, CaseIterable {
        case completed
        /// A live process holds its lock.
        case running
        /// Stopped by Ctrl-C, SIGTERM or `--stop-after`, with a checkpoint: a rerun continues it.
        case interrupted
        /// Its file says running but nobody holds its lock (kill -9, out of memory, power
        /// loss): a rerun continues it from its last checkpoint.
        case killed
        /// Its last attempt failed (its message in `failure`); rerun with `--retry-failed`.
        case failed
        /// Stopped for good by the sweep's successive halving (`stopped` says where);
        /// `--retry-pruned` continues it.
        case pruned
        case notStarted = "not started"
        /// Its run file cannot be read (the reason in `failure`).
        case unreadable
    }

    public var state: State
    /// The run file's metadata, progress and history, when it has one that reads.
    public var summary: RunSummary?
    /// Why it failed, or why its run file cannot be read.
    public var failure: String?
    /// The process training it (running), 0 when it has not written its pid yet.
    public var pid: Int32?

    /// Reads the status of the point whose files are `files`.
    public static func read(_ files: PointFiles) -> PointStatus {
        let manager = FileManager.default
        var summary: RunSummary?
        var unreadable: String?
        if manager.fileExists(atPath: files.runFile) {
            do { summary = try RunFile.readSummary(path: files.runFile) } catch { unreadable = error.description }
        }
        // a run file copied or linked in from another point's folder is not this point's
        if let found = summary?.metadata.runID, found != files.runID {
            unreadable = "\(files.runFile): the run file of point \(found), not of \(files.runID) (copied from another folder?)"
            summary = nil
        }
        if let pid = RunLock.holder(folder: files.folder) {
            return PointStatus(state: .running, summary: summary, failure: nil, pid: pid)
        }
        if let note = files.failure() { return PointStatus(state: .failed, summary: summary, failure: note) }
        if let unreadable { return PointStatus(state: .unreadable, summary: nil, failure: unreadable) }
        guard let summary else {
            // a lock file without a run file: an attempt died before its first commit
            return PointStatus(state: manager.fileExists(atPath: files.lock) ? .killed : .notStarted)
        }
        let state: State = switch summary.metadata.status {
        case .completed: .completed
        case .failed: .failed
        case .interrupted: .interrupted
        case .pruned: .pruned
        case .running: .killed
        }
        return PointStatus(state: state, summary: summary, failure: summary.metadata.failure)
    }

    /// What a run does with a point, by the point's state: the one rule for a local sweep and
    /// a Slurm submission.
    public enum Plan: Equatable, Sendable {
        case train
        /// Completed, and not `--overwrite`.
        case completedEarlier
        /// Failed, and neither `--retry-failed` nor `--overwrite`.
        case failedEarlier
        /// A live process trains it.
        case runningElsewhere
        /// Pruned, and neither `--retry-pruned` nor `--overwrite`.
        case prunedEarlier
    }

    /// What a run with `overwrite`, `retryFailed` or `retryPruned` does with this point.
    public func plan(overwrite: Bool, retryFailed: Bool, retryPruned: Bool = false) -> Plan {
        switch state {
        case .running: .runningElsewhere
        case .completed where !overwrite: .completedEarlier
        case .failed where !overwrite && !retryFailed: .failedEarlier
        case .pruned where !overwrite && !retryPruned: .prunedEarlier
        default: .train
        }
    }

    /// How training stopped before its length ("pruned at step 120: …", "stopped early at
    /// step 300, best at step 240"), from the run file; nil otherwise.
    public var stopped: String? { summary?.metadata.stopped }

    /// The state as `status` and `compare` show it: "pruned at step 120" for a pruned point,
    /// "completed (stopped early at step 300, best at step 240)" for one stopped early,
    /// "interrupted (waiting at rung 118 for the other points)" at a rung.
    public var stateText: String {
        if state == .completed, let stopped, stopped.hasPrefix("stopped early") {
            return "completed (\(stopped.split(separator: ";")[0]))"
        }
        if state == .interrupted, let stopped, stopped.hasPrefix("waiting") { return "interrupted (\(stopped))" }
        guard state == .pruned, let step = summary?.progress?.step else { return state.rawValue }
        return "pruned at step \(step)"
    }

    /// "step 120/938" (or "step 120" for files without their total; "" before a checkpoint).
    public var progressText: String {
        guard let step = summary?.progress?.step else { return "" }
        guard let total = summary?.metadata.totalSteps, total > 0 else { return "step \(step)" }
        return "step \(step)/\(total)"
    }

    /// The last history row's losses, "name=value" sorted by name.
    public var lastLossesText: String {
        guard let history = summary?.history, history.count > 0 else { return "" }
        return ProgressText.text(of: history.lastFiniteValues)
    }
}
