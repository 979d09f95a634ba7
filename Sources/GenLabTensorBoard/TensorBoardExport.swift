import Foundation
import GenLabCore
import GenLabStore

/// `genlab export tensorboard`: TensorBoard event files for run files that have none, from
/// their history (every loss column a scalar, tagged by its name, at its steps; NaN values —
/// rows without a validation — left out), beside each run file in `tensorboard/`.
public enum TensorBoardExport {
    /// What an export did with one run file.
    public enum Outcome: Equatable, Sendable {
        /// The event file written and the scalars in it.
        case written(path: String, scalars: Int)
        /// Its `tensorboard/` folder already holds event files: left as it is.
        case skipped(String)
    }

    /// The run files below `folder` (`run.h5`, symbolic links not followed), sorted.
    public static func runFiles(in folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(at: URL(fileURLWithPath: folder), includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        var found: [String] = []
        for case let url as URL in walker where url.lastPathComponent == "run.h5" {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { found.append(url.path) }
        }
        return found.sorted()
    }

    /// Writes the event file of the run file at `path` into `tensorboard/` beside it.
    public static func export(runFile path: String) throws(EventFileError) -> Outcome {
        let summary: RunSummary
        do { summary = try RunFile.readSummary(path: path) } catch {
            throw EventFileError(.create, "cannot read the run file: \(error.message)", path: path)
        }
        let folder = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("tensorboard")
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("events.out.tfevents.") }
        guard existing.isEmpty else { return .skipped("\(folder) already holds event files (remove them to export again)") }
        let started = ISO8601DateFormatter().date(from: summary.metadata.startedAt)?.timeIntervalSince1970 ?? Date().timeIntervalSince1970
        let file = try EventFile(folder: folder, wallTime: started)
        let history = summary.history
        let tags = history.columns.keys.sorted()
        var scalars = 0
        for (row, step) in history.steps.enumerated() {
            let values = tags.compactMap { tag -> (tag: String, value: Float)? in
                guard let value = history.columns[tag]?[row], !value.isNaN else { return nil }
                return (tag, value)
            }
            try file.scalars(step: Int(step), wallTime: started, values)
            scalars += values.count
        }
        return .written(path: file.path, scalars: scalars)
    }
}
