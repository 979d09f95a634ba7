import GenLabSpec

/// The whole check of an experiment file, as `genlab validate` runs it.
public enum ExperimentValidation {
    /// Reads the file, expands its sweep, and builds every point's networks; returns the
    /// points, or the first problem with its place in the file.
    public static func check(file: String) throws(SpecError) -> [ExperimentPoint] {
        let points = try Experiment.load(path: file).points()
        for point in points { _ = try BuiltModel(point.experiment, initializing: false) }
        return points
    }
}
