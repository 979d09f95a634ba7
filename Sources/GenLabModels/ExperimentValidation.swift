import GenLabSpec

/// The whole check of an experiment file, as `genlab validate` runs it.
public enum ExperimentValidation {
    /// Reads the file, expands its sweep, builds every point's networks and checks that this
    /// CPU runs its precision; returns the points, or the first problem with its place in the
    /// file.
    public static func check(file: String) throws(SpecError) -> [ExperimentPoint] {
        let experiment = try Experiment.load(path: file)
        let points = try experiment.points()
        for point in points {
            _ = try point.experiment.train.precision.resolved()
            try checkMetrics(point.experiment, prune: experiment.sweep?.prune, model: try BuiltModel(point.experiment, initializing: false))
        }
        try experiment.sweep?.prune?.check(points: points.count)
        return points
    }

    /// Refuses a `train.early_stopping` or `sweep.prune` metric that is not one of the history
    /// columns `model`'s trainer writes, naming those it writes.
    public static func checkMetrics(_ experiment: Experiment, prune: PruneSpec?, model: BuiltModel) throws(SpecError) {
        let columns = model.trainer(batchesPerEpoch: 1).historyColumns
        let watched = [(experiment.train.earlyStopping?.metric, experiment.train.earlyStopping?.metricLocation, "train.early_stopping.metric"),
                       (prune?.metric, prune?.metricLocation, "sweep.prune.metric")]
        for case let (metric?, location?, key) in watched where !columns.contains(metric) {
            let hint = metric.hasPrefix("validation.") && experiment.record.validation == nil ? " (validation columns need 'record.validation')" : ""
            throw SpecError(.unknownName, "'\(key)' is '\(metric)', not a history column\(hint); the history has \(columns.joined(separator: ", "))", at: location)
        }
    }
}
