import Foundation
import GenLabReport
import GenLabResults

extension SweepGroup {
    /// What `genlab status` prints of the sweep: a line of counts, a row per point (with
    /// Slurm's state of its task where `squeue` answers), the failures with their logs, and
    /// how to continue.
    public func statusLines() -> [String] {
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
            var state = status.stateText
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
