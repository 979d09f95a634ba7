import ArgumentParser
import GenLabResults

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

    /// The file with these changes and this selection.
    var selection: ExperimentSelection {
        ExperimentSelection(file: file, epochs: epochs, steps: steps, overrides: overrides, filters: filters)
    }
}
