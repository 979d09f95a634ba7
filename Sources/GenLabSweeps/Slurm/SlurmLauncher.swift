import Foundation
import GenLabResults
import GenLabSpec

/// `genlab run FILE --launcher slurm`: submits the sweep's points that are not completed as
/// Slurm job arrays (see `SlurmJobScript`), once, and returns; nothing waits on the login node.
public struct SlurmLauncher: Launcher {
    let retryFailed: Bool
    let retryPruned: Bool
    /// What the workers' matrix products multiply instead of the file's `train.precision`.
    let precision: PrecisionSpec.Choice?
    let options: SlurmJobScript.Options
    let dryRun: Bool

    /// A launcher that submits the points (also those that failed before, with
    /// `retryFailed`); `dryRun` gives the scripts without submitting them, and the sweep
    /// definition need not be written for it.
    public init(retryFailed: Bool, retryPruned: Bool = false, precision: PrecisionSpec.Choice? = nil, options: SlurmJobScript.Options, dryRun: Bool) {
        self.precision = precision
        self.retryFailed = retryFailed
        self.retryPruned = retryPruned
        self.options = options
        self.dryRun = dryRun
    }

    /// Submits the points not completed, not queued and not failed (unless `retryFailed`);
    /// says why each point left out was (`note`, before anything is submitted) and returns
    /// what it did (the scripts of a dry run, or the jobs submitted).
    public func launch(_ plan: SweepPlan, note: (String) -> Void) throws(RunError) -> LaunchReport {
        LaunchReport(lines: try submit(plan.points, plan.selected, manifestPath: plan.manifestPath, waves: try plan.waves(), note: note), exitStatus: 0)
    }

    private func submit(_ points: [ExperimentPoint], _ selected: [Int], manifestPath: String, waves: Int, note: (String) -> Void) throws(RunError) -> [String] {
        let manifest = URL(fileURLWithPath: manifestPath).standardizedFileURL.path
        let folder = (manifest as NSString).deletingLastPathComponent
        let queued = SlurmQueue.states(folder: folder, manifestName: (manifest as NSString).lastPathComponent) ?? [:]
        var submit: [Int] = [], notes: [String] = []
        var completed = 0
        for index in selected {
            let status = PointStatus.read(PointFiles(folder: "\(folder)/\(points[index].runID)"))
            if let state = queued[index] {
                notes.append("point \(index) (\(points[index].runID)) is already in Slurm's queue (\(state.lowercased())): not submitted again")
                continue
            }
            // a Slurm submission never overwrites (refused with --launcher slurm)
            switch status.plan(overwrite: false, retryFailed: retryFailed, retryPruned: retryPruned) {
            case .completedEarlier: completed += 1
            case .prunedEarlier:
                notes.append("point \(index) (\(points[index].runID)) was pruned (\(status.stopped ?? "no message")): --retry-pruned submits it again")
            case .runningElsewhere: notes.append("point \(index) (\(points[index].runID)) is being trained (pid \(status.pid ?? 0)): not submitted")
            case .failedEarlier:
                notes.append("point \(index) (\(points[index].runID)) failed before (\(status.failure ?? "no message")): --retry-failed submits it again")
            case .train: submit.append(index)
            }
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let launcher = SlurmJobScript(options: options, manifestPath: manifest, experiment: points[0].experiment.name,
                                     executable: executable)
        try launcher.checkPaths()
        let arrays = SlurmJobScript.arrays(submit, maxArraySize: SlurmQueue.maxArraySize())
        notes.forEach(note)
        guard !arrays.isEmpty else {
            return ["nothing to submit: \(completed) of \(selected.count) point\(selected.count == 1 ? "" : "s") completed\(notes.isEmpty ? "" : ", the others listed above")"]
        }
        let workerOptions = (retryPruned ? ["--retry-pruned"] : []) + (precision.map { ["--precision", $0.rawValue] } ?? [])
        if dryRun { return arrays.map { launcher.script($0, workerOptions: workerOptions) } }
        // a synchronous pruned sweep: one wave of arrays per rung, each after the last ends
        var ids: [String] = [], previous: [String] = []
        for wave in 0..<waves {
            previous = try launcher.submit(arrays, after: previous, workerOptions: workerOptions, firstNumber: wave * arrays.count)
            ids += previous
        }
        let wavesText = waves > 1 ? "\(waves) waves, one per rung of the synchronous successive halving and each after the one before; " : ""
        return ["submitted \(submit.count) point\(submit.count == 1 ? "" : "s") of \(points.count) as Slurm job\(ids.count == 1 ? "" : "s") \(ids.joined(separator: ", ")) (\(wavesText)scripts and task logs in \(launcher.folder))",
                "'genlab status \(folder)' shows the points; running this command again submits those not completed"]
    }
}
