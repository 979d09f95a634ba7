import ArgumentParser
import GenLabData
import GenLabModels
import GenLabRunner
import GenLabSpec

/// `genlab run FILE`: trains an experiment's points and records them.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an experiment (every point of its sweep, one after another) and record it in HDF5.",
        discussion: """
        Each point writes results/<experiment>/<run id>/run.h5. Ctrl-C stops after the current \
        step with a checkpoint (status "interrupted", exit 130); --resume continues from the \
        last checkpoint and ends with the same bits as an uninterrupted run.
        """
    )

    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Option(help: "Run only the point with this run id (see 'genlab plan').")
    var point: String?

    @Option(help: "Train for this many epochs instead (changes the run id).")
    var epochs: Int?

    @Option(help: "Train for this many steps instead (changes the run id).")
    var steps: Int?

    @Option(name: .customLong("set"), help: "Override a key of the experiment, e.g. --set model.beta=0.5 (repeatable; changes the run id).")
    var overrides: [String] = []

    @Flag(help: "Continue the run from its last checkpoint.")
    var resume = false

    @Option(help: "Stop with a checkpoint (status interrupted) once this many steps are done; continue later with --resume.")
    var stopAfter: Int?

    @Flag(help: "Replace an existing run file and start again.")
    var overwrite = false

    @Option(help: "The results folder.")
    var results = "results"

    @Flag(help: "Print only errors.")
    var quiet = false

    func validate() throws {
        if epochs != nil && steps != nil { throw ValidationError("give --epochs or --steps, not both") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if resume && overwrite { throw ValidationError("give --resume or --overwrite, not both") }
    }

    func run() throws {
        RunInterruption.install()
        do {
            var experiment = try Experiment.load(path: file)
            if !overrides.isEmpty { experiment = try experiment.overriding(overrides.map(Override.commandLine)) }
            if let epochs { experiment = try experiment.training(for: .epochs(epochs)) }
            if let steps { experiment = try experiment.training(for: .steps(steps)) }
            var points = try experiment.points()
            if let point {
                points = points.filter { $0.runID == point }
                guard !points.isEmpty else {
                    throw RunError("no point with run id '\(point)'; 'genlab plan \(file)' lists them", path: file)
                }
            }
            for p in points { _ = try BuiltModel(p.experiment, initializing: false) }
            var datasets: [(spec: DatasetSpec, dataset: Dataset)] = []
            let options = RunOptions(results: results, resume: resume, overwrite: overwrite, stopAfter: stopAfter, quiet: quiet)
            for p in points {
                let spec = p.experiment.dataset
                let dataset: Dataset
                if let cached = datasets.first(where: { $0.spec == spec }) {
                    dataset = cached.dataset
                } else {
                    dataset = try DatasetLoader.load(spec)
                    datasets.append((spec, dataset))
                }
                let runner = PointRunner(point: p, dataset: dataset, options: options)
                switch try runner.run() {
                case .completed: break
                case .alreadyCompleted:
                    if !quiet { print("run \(p.runID): already completed (\(runner.path))") }
                case .interrupted:
                    throw ExitCode(130)
                }
            }
        } catch let error as SpecError {
            printError(error.description)
            throw ExitCode(1)
        } catch let error as DataError {
            printError(error.description)
            throw ExitCode(1)
        } catch let error as RunError {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}
