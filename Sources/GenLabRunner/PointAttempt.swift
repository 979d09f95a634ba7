import GenLabData
import GenLabSpec

/// How one attempt at a sweep point ended.
public enum PointOutcome: Equatable, Sendable {
    case completed
    /// It had completed before; nothing was done.
    case alreadyCompleted
    /// Stopped by Ctrl-C / SIGTERM (or `--stop-after`) with a checkpoint.
    case interrupted
    /// It failed; the message names the file and the cause.
    case failed(String)
    /// Another process is training it.
    case busy(String)

    /// A worker's exit status for the outcome (0, 130 interrupted, 1 failed, 75 busy).
    public var exitStatus: Int32 {
        switch self {
        case .completed, .alreadyCompleted: 0
        case .interrupted: 130
        case .failed: 1
        case .busy: 75
        }
    }
}

extension PointRunner {
    /// Trains `point` as a sweep does, one attempt: takes its dataset from `datasets`, trains
    /// it (or continues it from its run file), and returns how it ended instead of throwing. A
    /// failure, wherever it happens (dataset, model, training, disk), is kept in the point's
    /// failure note, so `genlab status` shows it even when the run file could not say it.
    public static func attempt(_ point: ExperimentPoint, options: RunOptions, datasets: DatasetCache) -> PointOutcome {
        let files = PointFiles(results: options.results, experiment: point.experiment.name, runID: point.runID)
        do {
            let runner = PointRunner(point: point, dataset: try datasets.dataset(point.experiment.dataset), options: options)
            switch try runner.run() {
            case .completed: return .completed
            case .alreadyCompleted: return .alreadyCompleted
            case .interrupted: return .interrupted
            }
        } catch {
            if error.reason == .locked { return .busy(error.description) }
            // the folder may not exist when the results folder itself cannot be created
            try? files.noteFailure(error.description)
            if options.log { files.log(error.description) }
            return .failed(error.description)
        }
    }
}

