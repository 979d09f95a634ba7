import GenLabCore
import GenLabNN
import Foundation

/// Text forms of YAML trees: block YAML for storage, one-line text for messages and run
/// ids, and a canonical form for hashing.
extension YAMLNode {
    /// Flow-style one-line text: 0.1, [0.5, 0.999], {adam: {lr: 0.001}}.
    public var compactText: String {
        switch self {
        case .scalar(let text, let plain, _): plain ? text : "\"\(text)\""
        case .sequence(let items, _): "[" + items.map(\.compactText).joined(separator: ", ") + "]"
        case .mapping(let pairs, _): "{" + pairs.map { "\($0.key): \($0.value.compactText)" }.joined(separator: ", ") + "}"
        }
    }

    /// `compactText` limited to characters safe in a folder name.
    var slugText: String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-,")
        let text = compactText.replacingOccurrences(of: ", ", with: ",")
        return String(text.map { allowed.contains($0) ? $0 : "-" }).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// Block-style YAML that parses back to the same values (an empty mapping or list at the
    /// top is written `{}` or `[]`: an empty document would not parse).
    public var yamlText: String {
        var out = ""
        emit(into: &out, indent: 0)
        return out.isEmpty ? quotedCompactText + "\n" : out
    }

    private func emit(into out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .mapping(let pairs, _):
            for pair in pairs {
                if pair.value.isFlat {
                    out += "\(pad)\(pair.key): \(pair.value.quotedCompactText)\n"
                } else {
                    out += "\(pad)\(pair.key):\n"
                    pair.value.emit(into: &out, indent: indent + 2)
                }
            }
        case .sequence(let items, _):
            for item in items { out += "\(pad)- \(item.quotedCompactText)\n" }
        case .scalar:
            out += "\(pad)\(quotedCompactText)\n"
        }
    }

    /// A scalar, an empty mapping, or a list of scalars: written on its key's line.
    private var isFlat: Bool {
        switch self {
        case .scalar: true
        case .mapping(let pairs, _): pairs.isEmpty
        case .sequence(let items, _): items.allSatisfy { if case .scalar = $0 { true } else { false } }
        }
    }

    /// Flow text with strings JSON-quoted, so that special characters survive.
    private var quotedCompactText: String {
        switch self {
        case .scalar(let text, let plain, _):
            if plain { return text }
            let data = (try? JSONEncoder().encode(text)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case .sequence(let items, _): return "[" + items.map(\.quotedCompactText).joined(separator: ", ") + "]"
        case .mapping(let pairs, _): return "{" + pairs.map { "\($0.key): \($0.value.quotedCompactText)" }.joined(separator: ", ") + "}"
        }
    }

    /// Keys sorted, numbers in one form (1e-3 and 0.001 agree), strings quoted.
    var canonicalText: String {
        switch self {
        case .scalar(let text, let plain, _):
            if plain, let number = Double(text) { return number.shortDescription }
            return plain ? text : "\"\(text)\""
        case .sequence(let items, _): return "[" + items.map(\.canonicalText).joined(separator: ",") + "]"
        case .mapping(let pairs, _):
            return "{" + pairs.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.canonicalText)" }.joined(separator: ",") + "}"
        }
    }

    /// Eight hex digits of the 64-bit FNV-1a hash of `canonicalText`.
    public var configurationHash: String {
        var hash = FNV1a()
        hash.add(canonicalText)
        return String(hash.hex.prefix(8))
    }
}
