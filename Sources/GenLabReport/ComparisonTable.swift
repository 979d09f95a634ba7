import Foundation
import GenLabResults

/// A comparison laid out for printing: named columns of cells, one row per point or per
/// group, sortable, and written as a terminal table, CSV, JSON or Markdown.
public struct ComparisonTable: Sendable {
    /// One cell.
    public enum Cell: Sendable, Equatable {
        case text(String)
        case number(Double)
        /// mean ± std over n points (std with n − 1; 0 for one point); text shows mean ± std.
        case aggregate(mean: Double, std: Double, count: Int)
        case missing

        /// The value sorting and plots use.
        var sortValue: Double? {
            switch self {
            case .number(let x): x
            case .aggregate(let mean, _, _): mean
            case .text(let t): Double(t)
            case .missing: nil
            }
        }

        /// As the table, CSV and Markdown print it.
        var text: String {
            switch self {
            case .text(let t): t
            case .number(let x): ComparisonTable.format(x)
            case .aggregate(let mean, let std, _): "\(ComparisonTable.format(mean)) ± \(ComparisonTable.format(std))"
            case .missing: ""
            }
        }
    }

    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        case table, csv, json, markdown
    }

    /// The results folder the rows come from (named by errors).
    public var source: String
    public var columns: [String]
    /// How many leading columns name a row (repeated in every block of a wide table).
    public var identifying: Int
    public var rows: [[Cell]]

    /// Four significant digits, "nan" and "inf" spelled out.
    static func format(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        if x == x.rounded(), abs(x) < 1e9 { return String(Int64(x)) }
        return String(format: "%.4g", x)
    }

    /// The rows ordered by `column` (numbers by value, text by text, missing last); "name:desc"
    /// reverses. An unknown column is an error listing the columns.
    public func sorted(by key: String) throws(RunError) -> ComparisonTable {
        let descending = key.hasSuffix(":desc")
        let name = descending ? String(key.dropLast(5)) : key
        guard let c = columns.firstIndex(of: name) else {
            throw RunError(.comparison, "--sort: no column '\(name)'; the columns are \(columns.joined(separator: ", "))", path: source)
        }
        var copy = self
        // numbers first (by value), then text (NaN among it), missing last; ties keep their order
        let rank = { (cell: Cell) -> (Int, Double, String) in
            if cell == .missing { return (2, 0, "") }
            if let v = cell.sortValue, !v.isNaN { return (0, descending ? -v : v, "") }
            return (1, 0, cell.text)
        }
        copy.rows = rows.enumerated().sorted { a, b in
            let (x, y) = (rank(a.element[c]), rank(b.element[c]))
            if x.0 != y.0 { return x.0 < y.0 }
            if x.1 != y.1 { return x.1 < y.1 }
            if x.2 != y.2 { return descending ? x.2 > y.2 : x.2 < y.2 }
            return a.offset < b.offset
        }.map(\.element)
        return copy
    }

    /// The table in `format`; a terminal table is cut into blocks of columns no wider than
    /// `width`, each repeating the identifying columns.
    public func render(_ format: Format, width: Int = 120) -> String {
        switch format {
        case .table: return blocks(width: width).joined(separator: "\n\n") + "\n"
        case .csv:
            let quote = { (s: String) in s.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) }) ? "\"\(s.replacingOccurrences(of: "\"", with: "\"\""))\"" : s }
            return ([columns] + rows.map { $0.map(\.text) }).map { $0.map(quote).joined(separator: ",") }.joined(separator: "\n") + "\n"
        case .markdown:
            // a cell stays on its row and is text: `\`, `|` and `<` escaped, line breaks as
            // <br>, other control characters escaped as in a Swift literal
            let escape = { (s: String) in
                s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
                    .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                    .replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
                    .replacingOccurrences(of: "\r", with: "<br>").visible
            }
            let lines = ["| " + columns.map(escape).joined(separator: " | ") + " |", "|" + columns.map { _ in "---|" }.joined()]
                + rows.map { "| " + $0.map { escape($0.text) }.joined(separator: " | ") + " |" }
            return lines.joined(separator: "\n") + "\n"
        case .json:
            // JSON has no NaN: a value that is not finite is null
            let number = { (x: Double) -> Any in x.isFinite ? x : NSNull() }
            let objects = rows.map { row -> [String: Any] in
                var object: [String: Any] = [:]
                for (name, cell) in zip(columns, row) {
                    switch cell {
                    case .text(let t): object[name] = t
                    case .number(let x): object[name] = number(x)
                    case .aggregate(let mean, let std, let n): object[name] = ["mean": number(mean), "std": number(std), "count": n]
                    case .missing: object[name] = NSNull()
                    }
                }
                return object
            }
            let data = (try? JSONSerialization.data(withJSONObject: ["columns": columns, "rows": objects], options: [.prettyPrinted, .sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// Terminal tables of at most `width` characters (but for a column wider than the rest of
    /// the line): the first block with every identifying column, the next ones without the
    /// run id.
    private func blocks(width: Int) -> [String] {
        let texts = rows.map { $0.map(\.text) }
        let widths = columns.indices.map { c in min(60, max(columns[c].count, texts.map { $0[c].count }.max() ?? 0)) }
        let first = Array(0..<identifying), later = first.filter { columns[$0] != "run_id" }
        var blocks: [[Int]] = [], current: [Int] = []
        let lineWidth = { (chosen: [Int]) in chosen.reduce(0) { $0 + widths[$1] } + 2 * max(chosen.count - 1, 0) }
        for c in identifying..<columns.count {
            let lead = blocks.isEmpty ? first : later
            if !current.isEmpty && lineWidth(lead + current + [c]) > width {
                blocks.append(lead + current)
                current = []
            }
            current.append(c)
        }
        blocks.append((blocks.isEmpty ? first : later) + current)
        return blocks.map { chosen in
            var table = TextTable(header: chosen.map { columns[$0] })
            for row in texts { table.append(chosen.map { row[$0] }) }
            return table.lines(maxCell: 60).joined(separator: "\n")
        }
    }
}

extension SweepComparison {
    /// One row per point: #, run id, the swept values, status, steps, epochs, time (s), then
    /// the numeric columns.
    public var table: ComparisonTable {
        let cells = rows.map { row -> [ComparisonTable.Cell] in
            [row.index >= 0 ? .number(Double(row.index)) : .missing, .text(row.runID)]
                + row.values.map { $0.isEmpty ? .missing : .text($0) }
                + [.text(row.statusText), row.steps.map { .number(Double($0)) } ?? .missing,
                   row.epochs.map { .number(Double($0)) } ?? .missing, row.seconds.map { .number(($0 * 10).rounded() / 10) } ?? .missing]
                + columns.map { row.numbers[$0].map { .number($0) } ?? .missing }
        }
        return ComparisonTable(source: folder, columns: ["#", "run_id"] + keys + ["status", "steps", "epochs", "time_s"] + columns,
                               identifying: 2 + keys.count, rows: cells)
    }

    /// One row per value of the swept `key`: how many points, their statuses, and each number
    /// as mean ± std over the points (the other swept keys, typically seeds). A key that is not
    /// swept is an error listing those that are.
    public func grouped(by key: String) throws(RunError) -> ComparisonTable {
        guard let k = keys.firstIndex(of: key) else {
            throw RunError(.comparison, "--group-by: '\(key)' is not swept here; the swept keys are \(keys.isEmpty ? "none" : keys.joined(separator: ", "))", path: folder)
        }
        var order: [String] = []
        var members: [String: [Row]] = [:]
        for row in rows {
            if members[row.values[k]] == nil { order.append(row.values[k]) }
            members[row.values[k], default: []].append(row)
        }
        let aggregate = { (values: [Double]) -> ComparisonTable.Cell in
            guard !values.isEmpty else { return .missing }
            let mean = values.reduce(0, +) / Double(values.count)
            let std = values.count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot() : 0
            return .aggregate(mean: mean, std: std, count: values.count)
        }
        let cells = order.map { value -> [ComparisonTable.Cell] in
            let group = members[value] ?? []
            let statuses = PointStatus.State.allCases.compactMap { state -> String? in
                let n = group.filter { $0.status == state }.count
                return n > 0 ? "\(n) \(state.rawValue)" : nil
            }
            return [.text(value), .number(Double(group.count)), .text(statuses.joined(separator: ", ")),
                    aggregate(group.compactMap { $0.steps.map(Double.init) }), aggregate(group.compactMap(\.seconds))]
                + columns.map { column in aggregate(group.compactMap { $0.numbers[column] }) }
        }
        return ComparisonTable(source: folder, columns: [key, "points", "status", "steps", "time_s"] + columns, identifying: 1, rows: cells)
    }
}
