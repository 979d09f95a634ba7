import ArgumentParser
import Foundation
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

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: "Run only the point with this run id (as 'genlab plan' with the same --set, --epochs and --steps lists them).")
    var point: String?

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
        if resume && overwrite { throw ValidationError("give --resume or --overwrite, not both") }
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1 (a number of steps)") }
        if results.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--results must name a folder") }
    }

    func run() throws {
        RunInterruption.install()
        var points = try experiment.load().points()
        if let point {
            points = points.filter { $0.runID == point }
            guard !points.isEmpty else {
                throw RunError(.noSuchPoint, "no point with run id '\(point)'; 'genlab plan' with the same --set, --epochs and --steps lists them", path: experiment.file)
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
    }
}
