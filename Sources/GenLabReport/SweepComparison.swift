import Foundation
import GenLabAnalysis
import GenLabResults
import GenLabSpec
import GenLabStore

/// The points of a sweep side by side, read from their files alone: per point its swept
/// values, status, steps and epochs done, training time, the final and the best (smallest)
/// value of every recorded loss, and every number its analyses stored. What `genlab compare`
/// prints and `genlab report` shows.
public struct SweepComparison: Sendable {
    /// One point's row.
    public struct Row: Sendable {
        public var index: Int
        public var runID: String
        /// The swept values, in the order of `keys` ("" where the point has none).
        public var values: [String]
        public var status: PointStatus.State
        /// The status as shown: "pruned at step 120" for a pruned point.
        public var statusText: String
        public var failure: String?
        /// Why training stopped before its length (a pruned or early-stopped point).
        public var stopped: String?
        public var steps: Int?
        public var epochs: Int?
        /// Wall time from the run's start to its end (nil until it ends).
        public var seconds: Double?
        /// "final.<loss>", "best.<loss>" and "<analysis>.<number>" → value.
        public var numbers: [String: Double]
        /// The run file's configuration (empty when it has none).
        public var configYAML: String
        /// The loss history: steps and each loss's values.
        public var history: HistoryRows
        /// The run folder.
        public var folder: String
    }

    /// The folder of the points' run folders.
    public let folder: String
    public let keys: [String]
    public let rows: [Row]
    /// The numeric columns, in order: final losses, best losses, then analysis numbers.
    public let columns: [String]

    /// Reads the run files of `points` in `folder` (a point without one, or with an unreadable
    /// one, keeps its status and no numbers).
    public init(keys: [String], points: [SweepManifest.Point], folder: String) {
        self.keys = keys
        self.folder = folder
        var rows: [Row] = []
        for point in points {
            let files = PointFiles(folder: "\(folder)/\(point.runID)")
            let status = PointStatus.read(files)
            var row = Row(index: point.index, runID: point.runID,
                          values: keys.map { key in point.overrides.first { $0.key == key }?.value ?? "" },
                          status: status.state, statusText: status.stateText, failure: status.failure, stopped: status.stopped,
                          numbers: [:], configYAML: point.configYAML,
                          history: HistoryRows(), folder: files.folder)
            if let summary = status.summary {
                row.steps = summary.progress.map { Int($0.step) }
                row.epochs = summary.progress.map { Int($0.epoch) }
                row.configYAML = summary.metadata.configYAML
                row.history = summary.history
                if let start = SweepComparison.date(summary.metadata.startedAt), let end = summary.metadata.finishedAt.flatMap(SweepComparison.date) {
                    row.seconds = end.timeIntervalSince(start)
                }
                for (loss, last) in summary.history.lastFiniteValues {
                    row.numbers["final.\(loss)"] = Double(last)
                    row.numbers["best.\(loss)"] = Double(summary.history.columns[loss, default: []].filter(\.isFinite).min() ?? last)
                }
                for analysis in (try? RunFile.readAnalyses(path: files.runFile)) ?? [] {
                    for number in AnalysisCatalog.measured(analysis) { row.numbers["\(analysis.name).\(number.name)"] = number.value }
                }
            }
            rows.append(row)
        }
        self.rows = rows
        let names = Set(rows.flatMap { $0.numbers.keys })
        let losses = Set(names.filter { $0.hasPrefix("final.") }.map { String($0.dropFirst(6)) }).sorted()
        columns = losses.map { "final.\($0)" } + losses.map { "best.\($0)" }
            + names.filter { !$0.hasPrefix("final.") && !$0.hasPrefix("best.") }.sorted()
    }

    private static func date(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }

    /// The configuration every point shares, as dotted keys and their values (the swept keys
    /// and anything that differs left out).
    public var constantConfiguration: [(key: String, value: String)] {
        let trees = rows.compactMap { row -> [(key: String, value: String)]? in
            guard !row.configYAML.isEmpty, let node = try? YAMLNode.parse(row.configYAML, file: row.runID) else { return nil }
            return SweepComparison.leaves(node, prefix: "")
        }
        guard let first = trees.first else { return [] }
        let others = trees.dropFirst().map { Dictionary($0.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        return first.filter { key, value in !keys.contains(key) && others.allSatisfy { $0[key] == value } }
    }

    /// Every scalar of a YAML tree with its dotted path (sequences written inline).
    static func leaves(_ node: YAMLNode, prefix: String) -> [(key: String, value: String)] {
        switch node {
        case .mapping(let pairs, _):
            return pairs.flatMap { leaves($0.value, prefix: prefix.isEmpty ? $0.key : "\(prefix).\($0.key)") }
        default:
            return [(prefix, node.compactText)]
        }
    }
}
