/// Typed reading of YAML nodes, with located errors naming the key path ("model.beta").
extension YAMLNode {
    /// The entries of a mapping after checking that every key is one of `allowed`
    /// (an unknown key is reported with the nearest allowed one).
    public func fields(_ path: String, allowed: [String]) throws(SpecError) -> Fields {
        guard case .mapping(let pairs, let location) = self else {
            throw SpecError(.wrongType, "'\(path)' must be a mapping, found \(kindDescription)", at: self.location)
        }
        for pair in pairs where !allowed.contains(pair.key) {
            throw SpecError(.unknownName, NearestKey.unknownMessage("key", pair.key, valid: allowed, in: path), at: pair.keyLocation)
        }
        return Fields(path: path, pairs: pairs, location: location)
    }

    /// A plain scalar's text, or nil for anything else.
    public var plainText: String? {
        if case .scalar(let text, true, _) = self { return text }
        return nil
    }

    public func string(_ path: String) throws(SpecError) -> String {
        guard case .scalar(let text, _, _) = self else {
            throw SpecError(.wrongType, "'\(path)' must be a string, found \(kindDescription)", at: location)
        }
        return text
    }

    public func int(_ path: String, min: Int? = nil, max: Int? = nil) throws(SpecError) -> Int {
        guard let text = plainText, let value = Int(text) else {
            throw SpecError(.wrongType, "'\(path)' must be an integer, found \(kindDescription)", at: location)
        }
        if let min, value < min { throw SpecError(.outOfRange, "'\(path)' must be at least \(min), found \(value)", at: location) }
        if let max, value > max { throw SpecError(.outOfRange, "'\(path)' must be at most \(max), found \(value)", at: location) }
        return value
    }

    /// A number; `exclusiveMin` rejects values ≤ it.
    public func double(_ path: String, min: Double? = nil, exclusiveMin: Double? = nil, max: Double? = nil) throws(SpecError) -> Double {
        guard let text = plainText, let value = Double(text), value.isFinite else {
            throw SpecError(.wrongType, "'\(path)' must be a number, found \(kindDescription)", at: location)
        }
        if let min, value < min { throw SpecError(.outOfRange, "'\(path)' must be at least \(min.shortDescription), found \(text)", at: location) }
        if let exclusiveMin, value <= exclusiveMin {
            throw SpecError(.outOfRange, "'\(path)' must be greater than \(exclusiveMin.shortDescription), found \(text)", at: location)
        }
        if let max, value > max { throw SpecError(.outOfRange, "'\(path)' must be at most \(max.shortDescription), found \(text)", at: location) }
        return value
    }

    public func bool(_ path: String) throws(SpecError) -> Bool {
        switch plainText {
        case "true": return true
        case "false": return false
        default: throw SpecError(.wrongType, "'\(path)' must be true or false, found \(kindDescription)", at: location)
        }
    }

    /// One of an enumeration's raw values, with a suggestion when misspelt.
    public func choice<E: RawRepresentable & CaseIterable>(_ path: String, _ type: E.Type) throws(SpecError) -> E where E.RawValue == String {
        let text = try string(path)
        guard let value = E(rawValue: text) else {
            let valid = E.allCases.map(\.rawValue)
            throw SpecError(.unknownName, NearestKey.unknownMessage("value", text, valid: valid, in: path), at: location)
        }
        return value
    }

    /// A choice written as a bare name (`relu`, `adam`) or a one-key mapping with arguments
    /// (`linear: {out: 128}`): the name and the arguments, or nil when it is neither.
    public var namedChoice: (name: String, arguments: YAMLNode?)? {
        switch self {
        case .scalar(let text, _, _): (text, nil)
        case .mapping(let pairs, _) where pairs.count == 1: (pairs[0].key, pairs[0].value)
        default: nil
        }
    }

    public func list(_ path: String, nonEmpty: Bool = false) throws(SpecError) -> [YAMLNode] {
        guard case .sequence(let items, _) = self else {
            throw SpecError(.wrongType, "'\(path)' must be a list, found \(kindDescription)", at: location)
        }
        if nonEmpty && items.isEmpty { throw SpecError(.outOfRange, "'\(path)' must not be empty", at: location) }
        return items
    }
}

/// The checked entries of one mapping.
public struct Fields {
    public let path: String
    public let pairs: [YAMLPair]
    public let location: SourceLocation

    public subscript(key: String) -> YAMLNode? { pairs.first { $0.key == key }?.value }

    /// The dotted path of a key of this mapping.
    public func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func required(_ key: String) throws(SpecError) -> YAMLNode {
        guard let node = self[key] else {
            throw SpecError(.missingKey, "missing required key '\(key)' \(path.isEmpty ? "at the top level" : "in '\(path)'")", at: location)
        }
        return node
    }

    /// Throws when `key` is present: it does not apply in this context (`reason`).
    public func reject(_ key: String, _ reason: String) throws(SpecError) {
        if let pair = pairs.first(where: { $0.key == key }) {
            throw SpecError(.notApplicable, "'\(path(key))' \(reason)", at: pair.keyLocation)
        }
    }
}

extension Double {
    /// 0.1 rather than 0.10000000000000001; integers without ".0".
    public var shortDescription: String {
        if self == rounded(), abs(self) < 1e15 { return String(Int(self)) }
        return "\(self)"
    }
}
