
/// A plain-text table: a header row and rows of cells, columns padded to their widest cell,
/// the last column left ragged; numbers-like columns are not right-aligned, so values read
/// as they are written.
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(header: [String]) { self.header = header }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table's lines; a column that is empty in every row is left out, and a cell longer
    /// than `maxCell` characters is cut with "…".
    /// Cells are shown with their control characters escaped (a line break as `\n`, an
    /// escape sequence as `\u{1B}`), so a value from a file cannot break the table's lines or
    /// drive the terminal.
    public func lines(maxCell: Int = 48) -> [String] {
        let all = ([header] + rows).map { $0.map(\.visible) }
        let cut = all.map { row in row.map { $0.count > maxCell ? String($0.prefix(maxCell - 1)) + "…" : $0 } }
        let columns = header.indices.filter { c in rows.contains { c < $0.count && !$0[c].isEmpty } }
        let widths = columns.map { c in cut.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return cut.map { row in
            zip(columns, widths).enumerated().map { k, pair in
                let text = pair.0 < row.count ? row[pair.0] : ""
                return k == columns.count - 1 ? text : text.padding(toLength: pair.1, withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
