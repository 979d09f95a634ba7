import GenLabSpec

/// An experiment file with the command line's changes to it (`--set`, `--epochs`, `--steps`)
/// and its point selection (`--where`): what `run`, `plan`, `status`, `compare` and `report`
/// share, so that they all see the run ids `run` uses.
public struct ExperimentSelection: Sendable {
    /// The experiment file (or, for `status`, `compare` and `report`, a results folder).
    public var file: String
    public var epochs: Int?
    public var steps: Int?
    /// `key=value` overrides, as `--set` gives them.
    public var overrides: [String]
    /// `key=value` conditions, as `--where` gives them.
    public var filters: [String]

    public init(file: String, epochs: Int? = nil, steps: Int? = nil, overrides: [String] = [], filters: [String] = []) {
        self.file = file
        self.epochs = epochs
        self.steps = steps
        self.overrides = overrides
        self.filters = filters
    }

    /// Whether any option changes the experiment (which a results folder cannot take).
    public var changesExperiment: Bool { epochs != nil || steps != nil || !overrides.isEmpty }

    /// The experiment with the overrides and length applied.
    public func load() throws(SpecError) -> Experiment {
        var experiment = try Experiment.load(path: file)
        var changes: [Override] = []
        for text in overrides { changes.append(try Override.commandLine(text)) }
        if !changes.isEmpty { experiment = try experiment.overriding(changes) }
        if let epochs { experiment = try experiment.training(for: .epochs(epochs)) }
        if let steps { experiment = try experiment.training(for: .steps(steps)) }
        return experiment
    }

    /// The points of `points` that `--where` selects (all without it).
    public func select(_ points: [ExperimentPoint]) throws(SpecError) -> [ExperimentPoint] {
        var conditions: [PointFilter] = []
        for text in filters { conditions.append(try PointFilter.commandLine(text)) }
        let selected = try PointFilter.select(points, conditions)
        guard !selected.isEmpty || conditions.isEmpty else {
            throw SpecError(.sweep, "no point of the sweep has all of \(filters.joined(separator: ", "))", at: conditions[0].condition.keyLocation)
        }
        return selected
    }
}
