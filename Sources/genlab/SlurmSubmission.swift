import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTraining

/// `genlab run FILE --launcher slurm`: submits the sweep's points that are not completed as
/// Slurm job arrays (see `SlurmLauncher`), once, and returns; nothing waits on the login node.
struct SlurmSubmission {
    let manifestPath: String
    let points: [ExperimentPoint]
    /// The indices `--where` and `--point` select.
    let selected: [Int]
    let retryFailed: Bool
    let options: SlurmLauncher.Options
    let dryRun: Bool

    func run() throws {
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
            switch status.plan(overwrite: false, retryFailed: retryFailed) {
            case .completedEarlier: completed += 1
            case .runningElsewhere: notes.append("point \(index) (\(points[index].runID)) is being trained (pid \(status.pid ?? 0)): not submitted")
            case .failedEarlier:
                notes.append("point \(index) (\(points[index].runID)) failed before (\(status.failure ?? "no message")): --retry-failed submits it again")
            case .train: submit.append(index)
            }
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let launcher = SlurmLauncher(options: options, manifestPath: manifest, experiment: points[0].experiment.name,
                                     executable: executable)
        try launcher.checkPaths()
        let arrays = SlurmLauncher.arrays(submit, maxArraySize: SlurmQueue.maxArraySize())
        for note in notes { printError(note) }
        guard !arrays.isEmpty else {
            print("nothing to submit: \(completed) of \(selected.count) point\(selected.count == 1 ? "" : "s") completed\(notes.isEmpty ? "" : ", the others listed above")")
            return
        }
        if dryRun {
            for array in arrays { print(launcher.script(array)) }
            return
        }
        let ids = try launcher.submit(arrays)
        print("submitted \(submit.count) point\(submit.count == 1 ? "" : "s") of \(points.count) as Slurm job\(ids.count == 1 ? "" : "s") \(ids.joined(separator: ", ")) (scripts and task logs in \(launcher.folder))")
        print("'genlab status \(folder)' shows the points; running this command again submits those not completed")
    }
}
