import Foundation
import GenLabReport
import GenLabResults

extension SweepScheduler {
    /// The summary printed when a sweep ends: a table of the selected points (run id, swept
    /// values, result, progress from the run file, time), then each problem in full with the
    /// point's log, then what a rerun does.
    public func summary(_ rows: [Row]) -> [String] {
        var table = TextTable(header: ["point"] + SweepScheduler.columnNames(manifest.sweptKeys) + ["result", "progress", "time"])
        for row in rows {
            let stored = manifest.points[row.index]
            let values = manifest.sweptKeys.map { key in stored.overrides.first { $0.key == key }?.value ?? "" }
            table.append([stored.runID] + values + [row.result.rawValue, PointStatus.read(files(row.index)).progressText,
                                                    row.seconds.map(ProgressText.duration) ?? ""])
        }
        var lines = [""] + table.lines(maxCell: 60)
        for row in rows {
            guard let detail = row.detail, [.failed, .failedEarlier, .killed, .runningElsewhere].contains(row.result) else { continue }
            let point = files(row.index)
            lines.append("\(row.result.rawValue): \(manifest.points[row.index].runID): \(detail)")
            if FileManager.default.fileExists(atPath: point.log) { lines.append("  log: \(point.log)") }
        }
        let counts = Dictionary(grouping: rows, by: \.result).mapValues(\.count)
        let order: [Result] = [.completed, .completedEarlier, .pruned, .prunedEarlier, .failed, .failedEarlier, .interrupted, .waiting, .killed,
                               .runningElsewhere, .notStarted]
        lines.append("\(rows.count) point\(rows.count == 1 ? "" : "s"): " + order.compactMap { r in counts[r].map { "\($0) \(r.rawValue)" } }.joined(separator: ", "))
        if let waiting = rows.first(where: { $0.result == .waiting }) {
            lines.append("waiting at a rung: \(manifest.points[waiting.index].runID): \(waiting.detail ?? "") (points outside this command, or still training elsewhere, have not reported there yet)")
        }
        if rows.contains(where: { [.interrupted, .killed, .notStarted, .waiting].contains($0.result) }) {
            lines.append("rerun the same command to continue (completed points are skipped, the others continue from their last checkpoint)")
        }
        if rows.contains(where: { [.failed, .failedEarlier].contains($0.result) }) {
            lines.append("failed points are skipped by a rerun unless --retry-failed (continues them from their last checkpoint) or --overwrite (starts them again)")
        }
        return lines
    }

    /// Column headers for swept keys: the last part of each dotted key ("beta"), or the whole
    /// key where two keys share their last part.
    public static func columnNames(_ keys: [String]) -> [String] {
        let last = keys.map { String($0.split(separator: ".").last ?? Substring($0)) }
        return keys.indices.map { i in last.filter { $0 == last[i] }.count > 1 ? keys[i] : last[i] }
    }
}
