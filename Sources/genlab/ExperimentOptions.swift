import ArgumentParser
import GenLabSpec

/// The experiment file and the command-line changes to it, shared by `run`, `plan` and
/// `status` so that they all see the run ids `run` uses.
struct ExperimentOptions: ParsableArguments {
    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Option(help: "Train for this many epochs instead (changes the run id).")
    var epochs: Int?

    @Option(help: "Train for this many steps instead (changes the run id).")
    var steps: Int?

    @Option(name: .customLong("set"), help: "Override a key of the experiment, e.g. --set model.beta=0.5 (changes the run id), or of its sweep, e.g. --set sweep.grid.seed=[0] (repeatable).")
    var overrides: [String] = []

    @Option(name: .customLong("where"), help: "Only the points with this swept value, e.g. --where model.beta=0.1 (repeatable: all must hold).")
    var filters: [String] = []

    func validate() throws {
        if epochs != nil && steps != nil { throw ValidationError("give --epochs or --steps, not both") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
    }

    /// Whether any option changes the experiment (which a results folder cannot take).
    var changesExperiment: Bool { epochs != nil || steps != nil || !overrides.isEmpty }

    /// The experiment with the overrides and length applied.
    func load() throws(SpecError) -> Experiment {
        var experiment = try Experiment.load(path: file)
        var changes: [Override] = []
        for text in overrides { changes.append(try Override.commandLine(text)) }
        if !changes.isEmpty { experiment = try experiment.overriding(changes) }
        if let epochs { experiment = try experiment.training(for: .epochs(epochs)) }
        if let steps { experiment = try experiment.training(for: .steps(steps)) }
        return experiment
    }

    /// The points of `points` that `--where` selects (all without it).
    func select(_ points: [ExperimentPoint]) throws(SpecError) -> [ExperimentPoint] {
        var conditions: [PointFilter] = []
        for text in filters { conditions.append(try PointFilter.commandLine(text)) }
        let selected = try PointFilter.select(points, conditions)
        guard !selected.isEmpty || conditions.isEmpty else {
            throw SpecError(.sweep, "no point of the sweep has all of \(filters.joined(separator: ", "))", at: conditions[0].condition.keyLocation)
        }
        return selected
    }
}
