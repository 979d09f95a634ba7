import ArgumentParser
import GenLabSpec

/// The experiment file and the command-line changes to it, shared by `run` and `plan` so
/// that `plan` shows the run ids `run` will use.
struct ExperimentOptions: ParsableArguments {
    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Option(help: "Train for this many epochs instead (changes the run id).")
    var epochs: Int?

    @Option(help: "Train for this many steps instead (changes the run id).")
    var steps: Int?

    @Option(name: .customLong("set"), help: "Override a key of the experiment, e.g. --set model.beta=0.5 (repeatable; changes the run id).")
    var overrides: [String] = []

    func validate() throws {
        if epochs != nil && steps != nil { throw ValidationError("give --epochs or --steps, not both") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
    }

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
}
