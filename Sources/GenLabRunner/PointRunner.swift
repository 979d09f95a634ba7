import Foundation
import GenLabData
import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabStore

/// How a run ended.
public enum RunOutcome: Equatable, Sendable {
    case completed
    /// Stopped by Ctrl-C / SIGTERM; a checkpoint was written.
    case interrupted
    /// It had completed before; nothing was done.
    case alreadyCompleted
}

/// Options of `genlab run` that are not part of the experiment.
public struct RunOptions: Sendable {
    /// Results go to `<results>/<experiment>/<run id>/run.h5`.
    public var results: String
    /// Continue the run from its file's last checkpoint.
    public var resume: Bool
    /// Start again even if a run file exists (it is replaced).
    public var overwrite: Bool
    /// Seconds between commits of the history (with a full checkpoint) between checkpoints.
    public var flushSeconds: Double
    /// Stop with a checkpoint (status "interrupted") once this many steps are done, to be
    /// resumed later (runs cut into time-limited jobs).
    public var stopAfter: Int?
    public var quiet: Bool

    public init(results: String = "results", resume: Bool = false, overwrite: Bool = false, flushSeconds: Double = 60,
                stopAfter: Int? = nil, quiet: Bool = false) {
        self.results = results
        self.resume = resume
        self.overwrite = overwrite
        self.flushSeconds = flushSeconds
        self.stopAfter = stopAfter
        self.quiet = quiet
    }
}

/// Trains one point of an experiment and records it in its run file.
public final class PointRunner {
    public let point: ExperimentPoint
    public let dataset: Dataset
    public let options: RunOptions
    /// The run file.
    public let path: String
    let experiment: Experiment
    let progress: ProgressReporter

    public init(point: ExperimentPoint, dataset: Dataset, options: RunOptions) {
        self.point = point
        self.dataset = dataset
        self.options = options
        experiment = point.experiment
        path = "\(options.results)/\(experiment.name)/\(point.runID)/run.h5"
        progress = ProgressReporter(quiet: options.quiet)
    }

    private static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }

    /// Runs the point to its end (or to an interruption).
    public func run() throws(RunError) -> RunOutcome {
        let manager = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RunError(.io, "cannot create the results folder", path: folder)
        }
        let lock = try RunLock(folder: folder)
        defer { withExtendedLifetime(lock) {} }
        try? manager.removeItem(atPath: path + ".tmp")
        var previous: RunContents?
        if manager.fileExists(atPath: path) {
            if options.overwrite {
                do { try manager.removeItem(atPath: path) } catch { throw RunError(.io, "cannot remove the old run file", path: path) }
            } else if options.resume {
                do { previous = try RunFile.read(path: path) } catch { throw RunError(error) }
            } else {
                throw RunError(.runExists, "a run file exists already; use --resume to continue it or --overwrite to start again", path: path)
            }
        }
        // --resume without a run file (never started, or killed before its first commit)
        // starts the point: "continue wherever it is" includes "at the beginning"
        if let previous {
            if previous.metadata.status == .completed { return .alreadyCompleted }
            guard let stored = try? Experiment.parse(previous.metadata.configYAML, file: path),
                  stored.tree.configurationHash == experiment.tree.configurationHash else {
                throw RunError(.runExists, "the run file was written for a different configuration than \(experiment.file) now gives", path: path)
            }
        }
        let model: BuiltModel
        do { model = try BuiltModel(experiment) } catch { throw RunError(error) }
        let session = try TrainingSession(runner: self, model: model, previous: previous)
        return try session.run()
    }

    /// The run file's root attributes for `status`.
    func metadata(_ status: RunStatus, startedAt: String, failure: String? = nil) -> RunMetadata {
        RunMetadata(
            experiment: experiment.name, runID: point.runID, status: status, configYAML: point.resolvedYAML,
            sweepPoint: point.overrides.map { "\($0.key)=\($0.value.compactText)" }.joined(separator: "\n"),
            genlabVersion: GenLabVersion.current, startedAt: startedAt,
            finishedAt: status == .running ? nil : PointRunner.timestamp(), failure: failure)
    }
}
