import Foundation

/// What `genlab compare` writes for one sweep: the terminal table (the shared configuration
/// wrapped above it), Markdown, CSV or JSON.
public enum ComparisonOutput {
    /// The text of `table`, the comparison of the sweep `title` with swept `keys` whose points
    /// share `constant`, in `format` (the terminal table `width` characters wide), ending
    /// with a line break.
    public static func render(title: String, keys: [String], constant: [(key: String, value: String)], table: ComparisonTable,
                              format: ComparisonTable.Format, width: Int) throws -> String {
        switch format {
        case .json:
            let object: [String: Any] = ["sweep": title, "keys": keys,
                                         "constant": Dictionary(constant.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })]
            let rows = try JSONSerialization.jsonObject(with: Data(table.render(.json).utf8)) as? [String: Any] ?? [:]
            let data = try JSONSerialization.data(withJSONObject: object.merging(rows) { a, _ in a }, options: [.prettyPrinted, .sortedKeys])
            return String(decoding: data, as: UTF8.self) + "\n"
        case .csv:
            return table.render(.csv)
        case .table, .markdown:
            var text = (format == .markdown ? "### \(title)\n" : title) + "\n"
            if !constant.isEmpty {
                let items = constant.map { "\($0.key)=\($0.value)" }
                if format == .markdown {
                    text += "Shared: " + items.map { "`\($0)`" }.joined(separator: " ") + "\n\n"
                } else {
                    text += wrap(items, width: width, first: "shared: ").map { $0 + "\n" }.joined()
                }
            }
            return text + table.render(format, width: width)
        }
    }

    /// `items` joined by two spaces into lines of at most `width` characters (a longer item
    /// alone on its line), the first line after `first`, the others indented as far.
    static func wrap(_ items: [String], width: Int, first: String) -> [String] {
        var lines: [String] = [], line = first
        for item in items {
            if line.count > first.count && line.count + 2 + item.count > width {
                lines.append(line)
                line = String(repeating: " ", count: first.count)
            }
            line += (line.count > first.count ? "  " : "") + item
        }
        return lines + [line]
    }

    /// A folder name for the figures of the sweep `title` (letters, digits, `-` and `.`;
    /// anything else `_`; at most 80 characters).
    public static func folderName(_ title: String) -> String {
        String(title.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }.prefix(80))
    }
}
