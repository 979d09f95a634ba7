import GenLabAnalysis
import GenLabData
import GenLabModels
import GenLabResults
import GenLabSpec

/// A sweep ready to train: every point of the experiment, the ones selected, and the sweep
/// definition that names them.
public struct SweepPlan: Sendable {
    public let manifest: SweepManifest
    /// Where the sweep definition is (`sweep-<id>.json` in the experiment's results folder).
    public let manifestPath: String
    /// Every point, in the definition's order.
    public let points: [ExperimentPoint]
    /// The indices of the points to train.
    public let selected: [Int]
    /// The file's `sweep.parallel`, if it gives one.
    public let parallel: Int?

    /// The points of `selection` (only `point` among them, when given) for the results folder
    /// `results`: every selected point's model is built (without weights) and its analyses
    /// checked first, so that a mistake in any point stops the command before anything runs;
    /// with `checkPrecision`, also that this CPU runs each point's `train.precision` (not when
    /// the points train elsewhere, or a command-line precision replaces the file's).
    public init(_ selection: ExperimentSelection, point: String?, results: String, checkPrecision: Bool = true) throws(RunError) {
        let loaded: Experiment, all: [ExperimentPoint]
        var chosen: [ExperimentPoint]
        do {
            loaded = try selection.load()
            all = try loaded.points()
            chosen = try selection.select(all)
        } catch {
            throw RunError(error)
        }
        if let point {
            chosen = chosen.filter { $0.runID == point }
            guard !chosen.isEmpty else {
                throw RunError(.noSuchPoint, "no point with run id '\(point)'\(selection.filters.isEmpty ? "" : " among those --where selects"); 'genlab plan' with the same --set, --epochs and --steps lists them", path: selection.file)
            }
        }
        do {
            for p in chosen {
                let model = try BuiltModel(p.experiment, initializing: false)
                if checkPrecision { _ = try p.experiment.train.precision.resolved() }
                _ = try AnalysisRunner.declared(p.experiment.analysis, kind: p.experiment.model.kind, dataset: p.experiment.dataset)
                try ExperimentValidation.checkMetrics(p.experiment, prune: loaded.sweep?.prune, model: model)
            }
        } catch {
            throw RunError(error)
        }
        for p in chosen { try ValidationFrechetDistance.requireClassifier(p.experiment) }
        if let prune = loaded.sweep?.prune {
            do { try prune.check(points: all.count) } catch { throw RunError(error) }
            let datasets = DatasetCache()
            for p in chosen {
                let total = try SweepPlan.totalSteps(p.experiment, datasets)
                do { _ = try prune.rungs(total: total) } catch { throw RunError(error) }
            }
        }
        manifest = SweepManifest(experimentFile: selection.file, points: all, pruneYAML: loaded.pruneYAML)
        manifestPath = SweepManifest.path(results: results, points: all)
        let index = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($0.element.runID, $0.offset) })
        selected = chosen.map { index[$0.runID]! }
        points = all
        parallel = loaded.sweep?.parallel
    }

    /// The sweep's successive halving (nil without `sweep.prune`).
    public var pruning: PrunedSweep? { get throws(RunError) { try manifest.pruning(path: manifestPath) } }

    /// How many times each point must be started for a synchronous pruned sweep to end: once
    /// per rung of the longest point's run, and once more (1 without synchronous pruning).
    /// The length in epochs takes the dataset's size, read here.
    func waves() throws(RunError) -> Int {
        guard let spec = try pruning?.spec, spec.strategy == .synchronous else { return 1 }
        let datasets = DatasetCache()
        var most = 0
        for index in selected {
            let total = try SweepPlan.totalSteps(points[index].experiment, datasets)
            do { most = max(most, try spec.rungs(total: total).count) } catch { throw RunError(error) }
        }
        return most + 1
    }

    /// The steps `e` trains for; a length in epochs takes its dataset's size, read here.
    static func totalSteps(_ e: Experiment, _ datasets: DatasetCache) throws(RunError) -> Int {
        guard case .epochs = e.train.length else { return e.train.totalSteps(batchesPerEpoch: 1) }
        let images = try datasets.dataset(e.dataset).train.count
        return e.train.totalSteps(batchesPerEpoch: BatchLoader.batchesPerEpoch(images: images, batchSize: e.train.batchSize, dropLast: e.train.dropLast))
    }

    /// Writes the sweep definition (which worker processes and Slurm tasks read).
    public func writeManifest() throws(RunError) { try manifest.write(to: manifestPath) }
}

/// What a launcher did: lines for the standard output, notes for the standard error, and
/// the command's exit status.
public struct LaunchReport: Sendable {
    public var lines: [String]
    public var exitStatus: Int32
}

/// Where a sweep's selected points train. Two runtimes: `LocalLauncher` (one after another in
/// this process, or several at once in worker processes) and `SlurmLauncher` (a Slurm job
/// array, submitted and left to run).
public protocol Launcher {
    /// Trains or submits the selected points of `plan` (whose definition is written), saying
    /// what happens as it goes (`note`: standard error).
    func launch(_ plan: SweepPlan, note: (String) -> Void) throws(RunError) -> LaunchReport
}

/// Trains the points on this machine with a `SweepScheduler`: in this process when one job
/// (or one point) is asked for, else in `jobs` worker processes at once.
public struct LocalLauncher: Launcher {
    public let options: SweepOptions

    public init(options: SweepOptions) { self.options = options }

    /// Trains the points and returns the summary table (for more than one point; without
    /// `quiet`, or when something went wrong) and the scheduler's exit status.
    public func launch(_ plan: SweepPlan, note: (String) -> Void) throws(RunError) -> LaunchReport {
        var options = self.options
        options.run.pruning = try plan.pruning
        let scheduler = SweepScheduler(manifest: plan.manifest, manifestPath: plan.manifestPath, points: plan.points,
                                       selected: plan.selected, options: options)
        let (rows, status) = scheduler.run()
        let summary = rows.count > 1 && (!options.run.quiet || status != 0)
        return LaunchReport(lines: summary ? scheduler.summary(rows) : [], exitStatus: status)
    }
}
