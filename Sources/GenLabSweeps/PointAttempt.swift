import GenLabAnalysis
import GenLabData
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTensorBoard
import GenLabTraining

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
    /// Stopped for good by the sweep's successive halving (now or before), why.
    case pruned(String)
    /// Stopped at a synchronous rung until the other points report there.
    case waiting(String)

    /// A worker's exit status for the outcome (0, 130 interrupted, 1 failed, 75 busy, 76
    /// waiting at a rung, 77 pruned).
    public var exitStatus: Int32 {
        switch self {
        case .completed, .alreadyCompleted: 0
        case .interrupted: 130
        case .failed: 1
        case .busy: 75
        case .waiting: 76
        case .pruned: 77
        }
    }
}

extension PointRunner {
    /// Trains `point` as a sweep does, one attempt: takes its dataset from `datasets`, trains
    /// it (or continues it from its run file), and returns how it ended instead of throwing. A
    /// failure, wherever it happens (dataset, model, training, disk), is kept in the point's
    /// failure note, so `genlab status` shows it even when the run file could not say it.
    /// A trained point then gets the analyses its experiment declares (those it lacks, when
    /// it had completed before); an analysis that fails fails the attempt. With
    /// `record.tensorboard`, its TensorBoard run is written as it trains and completed after
    /// the analyses.
    public static func attempt(_ point: ExperimentPoint, options: RunOptions, datasets: DatasetCache) -> PointOutcome {
        let files = PointFiles(results: options.results, experiment: point.experiment.name, runID: point.runID)
        var options = options
        options.validationScoring = ValidationFrechetDistance(datasets: datasets)
        do {
            let runner = PointRunner(point: point, dataset: try datasets.dataset(point.experiment.dataset), options: options)
            let tensorboard = point.experiment.record.tensorboard
                ? TensorBoardRun(folder: files.tensorboard, runFile: files.runFile, configYAML: point.resolvedYAML,
                                 hparams: options.sweep.flatMap { SweepHParams(manifest: $0, runID: point.runID) })
                : nil
            runner.observer = tensorboard
            let outcome = try runner.run(then: { trained throws(RunError) in
                try runner.analyse(trained, datasets: datasets)
                tensorboard?.completed(step: trained.step)
            })
            switch outcome {
            case .completed: return .completed
            case .interrupted: return .interrupted
            case .pruned(let why): return .pruned(why)
            case .waiting(let why): return .waiting(why)
            case .alreadyCompleted:
                try runner.analyseMissing(datasets: datasets)
                return .alreadyCompleted
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

extension PointRunner {
    /// The analyses the experiment declares, with their parameters.
    private var declaredAnalyses: (names: [String], parameters: [String: YAMLNode]) {
        get throws(RunError) {
            do { return try AnalysisRunner.declared(experiment.analysis, kind: experiment.model.kind, dataset: experiment.dataset) } catch { throw RunError(error) }
        }
    }

    /// Runs the analyses the experiment declares on the run just trained, from its networks
    /// in memory (the point's lock held).
    func analyse(_ trained: TrainedRun, datasets: DatasetCache) throws(RunError) {
        let declared = try declaredAnalyses
        guard !declared.names.isEmpty else { return }
        note(try AnalysisRunner.run(declared.names, parameters: declared.parameters, on: trained, datasets: datasets))
    }

    /// Runs the analyses the experiment declares that the run file does not hold yet (a
    /// point completed before), loading the run from its file.
    func analyseMissing(datasets: DatasetCache) throws(RunError) {
        let declared = try declaredAnalyses
        let stored: Set<String>
        do { stored = Set(try RunFile.readAnalyses(path: path).map(\.name)) } catch { throw RunError(error) }
        let names = declared.names.filter { !stored.contains($0) }
        guard !names.isEmpty else { return }
        note(try AnalysisRunner.run(names, parameters: declared.parameters, on: path, datasets: datasets))
    }

    private func note(_ done: [String]) {
        progress.note("analyses: \(done.joined(separator: ", ")) (pictures in \(files.folder)/analysis)")
    }
}
