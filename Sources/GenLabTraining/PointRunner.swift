import Foundation
import GenLabData
import GenLabModels
import GenLabNN
import GenLabResults
import GenLabSpec
import GenLabStore

/// How a run ended.
public enum RunOutcome: Equatable, Sendable {
    case completed
    /// Stopped by Ctrl-C / SIGTERM; a checkpoint was written.
    case interrupted
    /// It had completed before; nothing was done.
    case alreadyCompleted
    /// Stopped for good at a rung of its sweep's successive halving (now or before), why.
    case pruned(String)
    /// Stopped with a checkpoint at a synchronous rung until the other points report there.
    case waiting(String)
}

/// Options of `genlab run` that are not part of the experiment.
public struct RunOptions: Sendable {
    /// Results go to `<results>/<experiment>/<run id>/run.h5`.
    public var results: String
    /// Start again even if a run file exists (it is replaced, its analysis pictures and event
    /// files removed);
    /// otherwise a run file is continued from its last checkpoint.
    public var overwrite: Bool
    /// Seconds between commits of the history (with a full checkpoint) between checkpoints.
    public var flushSeconds: Double
    /// Stop with a checkpoint (status "interrupted") once this many steps are done, to be
    /// resumed later (runs cut into time-limited jobs).
    public var stopAfter: Int?
    public var quiet: Bool
    /// Where a worker sends its progress to the sweep that started it (a pipe), if anywhere.
    public var progressFeed: Int32?
    /// Also write the progress lines and a failure to the point's `run.log` (a worker's
    /// output goes there already).
    public var log: Bool
    /// The sweep's successive halving, when it prunes.
    public var pruning: PrunedSweep?
    /// Continue a pruned point past its rung, without pruning it again.
    public var retryPruned: Bool
    /// What scores `record.validation.fd` (the evaluation classifier's Fréchet distance);
    /// nil where nothing can.
    public var validationScoring: (any ValidationScoring)?
    /// The sweep the point belongs to (TensorBoard's HParams table shows its swept keys).
    public var sweep: SweepManifest?
    /// What the matrix products multiply in this session instead of the file's
    /// `train.precision` (nil: the file's), resolved on this CPU: a bf16 run continued in fp32.
    public var precision: PrecisionSpec.Choice?

    public init(results: String = "results", overwrite: Bool = false, flushSeconds: Double = 60,
                stopAfter: Int? = nil, quiet: Bool = false, progressFeed: Int32? = nil, log: Bool = false,
                pruning: PrunedSweep? = nil, retryPruned: Bool = false, precision: PrecisionSpec.Choice? = nil) {
        self.precision = precision
        self.pruning = pruning
        self.retryPruned = retryPruned
        self.results = results
        self.overwrite = overwrite
        self.flushSeconds = flushSeconds
        self.stopAfter = stopAfter
        self.quiet = quiet
        self.progressFeed = progressFeed
        self.log = log
    }
}

/// Trains one point of an experiment and records it in its run file.
public final class PointRunner {
    public let point: ExperimentPoint
    public let dataset: Dataset
    public let options: RunOptions
    /// The point's files (run file, lock, log, failure note).
    public let files: PointFiles
    package let experiment: Experiment
    package let progress: ProgressReporter
    /// Told what training commits (TensorBoard's event files); nil for nothing.
    public var observer: TrainingObserver?

    public init(point: ExperimentPoint, dataset: Dataset, options: RunOptions) {
        self.point = point
        self.dataset = dataset
        self.options = options
        experiment = point.experiment
        files = PointFiles(results: options.results, experiment: experiment.name, runID: point.runID)
        progress = ProgressReporter(quiet: options.quiet, feed: options.progressFeed, log: options.log ? files : nil)
    }

    /// The run file.
    public var path: String { files.runFile }

    private static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }

    /// Runs the point to its end (or to an interruption): from the start when it has no run
    /// file (or with `overwrite`), else from the run file's last checkpoint. When training
    /// completes, `completed` gets the trained run (its networks in memory) while the point's
    /// lock is still held.
    public func run(then completed: ((TrainedRun) throws(RunError) -> Void)? = nil) throws(RunError) -> RunOutcome {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: files.folder, withIntermediateDirectories: true)
        } catch {
            throw RunError(.io, "cannot create the results folder", path: files.folder)
        }
        let lock = try RunLock(folder: files.folder)
        defer { withExtendedLifetime(lock) {} }
        files.clearFailure()
        files.removeTemporaries()
        var previous: RunContents?
        if manager.fileExists(atPath: path) {
            if options.overwrite {
                do { try manager.removeItem(atPath: path) } catch { throw RunError(.io, "cannot remove the old run file", path: path) }
                // the old run's records, pictures and event files go with it
                try? manager.removeItem(atPath: RunFile.recordsFolder(path))
                try? manager.removeItem(atPath: "\(files.folder)/analysis")
                try? manager.removeItem(atPath: files.tensorboard)
            } else {
                do { previous = try RunFile.read(path: path) } catch { throw RunError(error) }
            }
        }
        if let previous {
            if previous.metadata.status == .completed { return .alreadyCompleted }
            if previous.metadata.status == .pruned, !options.retryPruned {
                return .pruned(previous.metadata.stopped ?? "pruned before")
            }
            guard let stored = try? Experiment.parse(previous.metadata.configYAML, file: path),
                  stored.tree.configurationHash == experiment.tree.configurationHash else {
                throw RunError(.runExists, "the run file was written for a different configuration than \(experiment.file) now gives", path: path)
            }
        }
        var model: BuiltModel
        do {
            model = try BuiltModel(experiment)
            model.use(try (options.precision.map { PrecisionSpec($0) } ?? experiment.train.precision).resolved())
        } catch { throw RunError(error) }
        let session = try TrainingSession(runner: self, model: model, previous: previous)
        let outcome = try session.run()
        if outcome == .completed, let completed { try completed(session.trained) }
        return outcome
    }

    /// The run file's root attributes for `status`.
    func metadata(_ status: RunStatus, model: BuiltModel, startedAt: String, totalSteps: Int, failure: String? = nil) -> RunMetadata {
        var metadata = RunMetadata(
            experiment: experiment.name, runID: point.runID, status: status, configYAML: point.resolvedYAML,
            sweepPoint: point.overrides.map { "\($0.key)=\($0.value.compactText)" }.joined(separator: "\n"),
            genlabVersion: GenLabVersion.current, startedAt: startedAt,
            finishedAt: status == .running ? nil : PointRunner.timestamp(), failure: failure, totalSteps: Int64(totalSteps),
            analysisYAML: experiment.analysis?.yamlText)
        RunDescription.describe(&metadata, model: model, overrides: point.overrides.map { ($0.key, $0.value) })
        metadata.precision = model.precision.rawValue
        return metadata
    }
}
