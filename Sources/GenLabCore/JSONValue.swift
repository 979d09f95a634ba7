import Foundation

/// A JSON document whose objects keep their keys in the order written, so that what GenLab
/// stores for other tools (a network's layers with their arguments in PyTorch's order) reads
/// as it was meant.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in order (no duplicates).
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.text == b.text }

    /// A list of integers (a shape, a kernel size).
    public static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .int($0) }) }

    /// Compact JSON text: numbers in their shortest exact form (a non-finite double is
    /// `null`, which JSON has no other way to write), strings escaped as JSON requires.
    public var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            guard d.isFinite else { return "null" }
            if d == d.rounded(), abs(d) < 1e15 { return String(format: "%.1f", d) }
            return "\(d)"
        case .string(let s): return JSONValue.quoted(s)
        case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let pairs): return "{" + pairs.map { JSONValue.quoted($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension YAMLNode {
    /// The tree as JSON with YAML's core types: plain scalars that read as integers, numbers,
    /// booleans or null become those, everything else a string (quoted scalars always).
    public var json: JSONValue {
        switch self {
        case .scalar(let text, let plain, _):
            guard plain else { return .string(text) }
            switch text {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            case "null", "Null", "NULL", "~", "": return .null
            default: break
            }
            if let i = Int(text) { return .int(i) }
            if let d = Double(text), d.isFinite { return .double(d) }
            return .string(text)
        case .sequence(let items, _): return .array(items.map(\.json))
        case .mapping(let pairs, _): return .object(pairs.map { ($0.key, $0.value.json) })
        }
    }
}
