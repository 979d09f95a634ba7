import Foundation
import Yams

/// A YAML document as GenLab reads it: scalars, sequences and mappings, each with the place
/// it was written (or, for values a sweep put there, the place of the sweep entry).
public indirect enum YAMLNode: Equatable, Sendable {
    /// A scalar's text; `isPlain` is false for quoted and block scalars (always strings).
    case scalar(String, isPlain: Bool, SourceLocation)
    case sequence([YAMLNode], SourceLocation)
    /// Keys in the order written (the YAML parser rejects duplicates).
    case mapping([YAMLPair], SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .scalar(_, _, let l), .sequence(_, let l), .mapping(_, let l): l
        }
    }

    /// Parses `text` (the contents of `file`) into a tree, or a located syntax error. A
    /// leading byte-order mark (as some Windows editors save UTF-8) is not part of the text.
    public static func parse(_ text: String, file: String) throws(SpecError) -> YAMLNode {
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw YAMLNode.syntaxError(error, text: text, file: file)
        } catch {
            throw SpecError(.syntax, "YAML syntax error: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        guard let root else {
            throw SpecError(.syntax, "the file is empty; an experiment needs at least 'name', 'dataset' and 'model'",
                            at: SourceLocation(file: file, line: 1, column: 1))
        }
        var budget = maxNodes
        return try YAMLNode(root, file: file, budget: &budget)
    }

    /// The most nodes a document may hold once its aliases are expanded (an experiment file
    /// has a few hundred; nested aliases can otherwise expand a small file exponentially).
    public static let maxNodes = 100_000

    private static func syntaxError(_ error: YamlError, text: String, file: String) -> SpecError {
        switch error {
        case let .reader(problem, offset, value, _):
            let bytes = Array(text.utf8.prefix(max(offset ?? 0, 0)))
            let line = bytes.reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
            let lineStart = bytes.lastIndex(of: 10).map { $0 + 1 } ?? 0
            let column = String(decoding: bytes[lineStart...], as: UTF8.self).count + 1
            let character = value >= 0 ? String(format: " (character U+%04X)", value) : ""
            return SpecError(.syntax, "YAML syntax error: \(problem)\(character)", at: SourceLocation(file: file, line: line, column: column))
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let where_ = context.map { "\($0.text) " } ?? ""
            return SpecError(.syntax, "YAML syntax error: \(where_)\(problem)",
                             at: SourceLocation(file: file, line: mark.line, column: mark.column))
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return SpecError(.syntax, "duplicate key \(keys) in one mapping (its first occurrence is here)",
                             at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
        default:
            return SpecError(.syntax, "YAML syntax error: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    private init(_ node: Node, file: String, budget: inout Int) throws(SpecError) {
        let location = SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        budget -= 1
        guard budget >= 0 else {
            throw SpecError(.syntax, "the document expands to more than \(YAMLNode.maxNodes) values (nested aliases?); an experiment file needs far fewer", at: location)
        }
        switch node {
        case .scalar(let scalar):
            self = .scalar(scalar.string, isPlain: scalar.style == .plain || scalar.style == .any, location)
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            for item in sequence { items.append(try YAMLNode(item, file: file, budget: &budget)) }
            self = .sequence(items, location)
        case .mapping(let mapping):
            var pairs: [YAMLPair] = []
            for (key, value) in mapping {
                let keyNode = try YAMLNode(key, file: file, budget: &budget)
                guard case .scalar(let name, _, let keyLocation) = keyNode else {
                    throw SpecError(.syntax, "mapping keys must be plain names", at: keyNode.location)
                }
                pairs.append(YAMLPair(key: name, keyLocation: keyLocation, value: try YAMLNode(value, file: file, budget: &budget)))
            }
            self = .mapping(pairs, location)
        case .alias:
            throw SpecError(.syntax, "YAML aliases are not supported in experiment files", at: location)
        }
    }

    /// What the node is, for "expected …, found …" messages.
    public var kindDescription: String {
        switch self {
        case .scalar(let text, let plain, _): plain ? "'\(text)'" : "the string \"\(text)\""
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

/// One `key: value` entry of a mapping.
public struct YAMLPair: Equatable, Sendable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: YAMLNode

    public init(key: String, keyLocation: SourceLocation, value: YAMLNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
