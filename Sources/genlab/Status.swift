import ArgumentParser
import Foundation
import GenLabAnalysis
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabSweeps
import GenLabTraining

/// `genlab status FILE_OR_RESULTS_DIR`: where each point of a sweep stands, from its files.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each point of a sweep: run id, swept values, status (completed, running, interrupted, killed, failed, not started), progress and last losses, read from the run files alone.",
        discussion: """
        Given an experiment file (with the --set, --epochs and --steps of the run), its points \
        are looked up in --results. Given a results folder (results/<experiment>, or results/ \
        for every experiment), the sweeps written there (sweep-*.json) and any other run \
        folders are listed.
        """
    )

    @OptionGroup var experiment: ExperimentOptions

    @Option(help: "The results folder (for an experiment file).")
    var results = "results"

    func run() throws {
        let groups = try SweepGroup.find(experiment, results: results)
        guard !groups.isEmpty else {
            print("\(experiment.file): no sweeps or runs here")
            return
        }
        for (n, group) in groups.enumerated() {
            if n > 0 { print("") }
            for line in group.statusLines() { print(line) }
        }
    }
}

extension SweepGroup {
    /// The status lines of the sweep's points.
    func statusLines() -> [String] {
        // Slurm's view of the tasks submitted for this sweep, where squeue answers
        let queue = manifestName.flatMap { SlurmQueue.states(folder: folder, manifestName: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        var table = TextTable(header: ["#", "run id"] + SweepScheduler.columnNames(keys) + ["status"] + (queue == nil ? [] : ["slurm"])
                              + ["progress", "last losses"])
        var counts: [PointStatus.State: Int] = [:]
        var problems: [String] = []
        for point in points {
            let files = PointFiles(folder: "\(folder)/\(point.runID)")
            let status = PointStatus.read(files)
            counts[status.state, default: 0] += 1
            var state = status.state.rawValue
            if status.state == .running, let pid = status.pid, pid > 0 { state += " (pid \(pid))" }
            let values = keys.map { key in point.overrides.first { $0.key == key }?.value ?? "" }
            table.append([point.index >= 0 ? String(point.index) : ""] + [point.runID] + values + [state]
                         + (queue.map { [$0[point.index]?.lowercased() ?? ""] } ?? []) + [status.progressText, status.lastLossesText])
            if let failure = status.failure, [.failed, .unreadable].contains(status.state) {
                problems.append("\(status.state.rawValue) \(point.runID.visible): \(failure.visible)")
                if FileManager.default.fileExists(atPath: files.log) { problems.append("  log: \(files.log)") }
            }
        }
        let tally = PointStatus.State.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
        var lines = ["\(title): \(points.count) point\(points.count == 1 ? "" : "s"): \(tally)"] + table.lines(maxCell: 60) + problems
        if (counts[.killed] ?? 0) + (counts[.interrupted] ?? 0) + (counts[.notStarted] ?? 0) > 0 {
            lines.append("'genlab run' with the same experiment file and options continues the interrupted and killed points and starts the others")
        }
        return lines
    }
}
