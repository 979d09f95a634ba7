import GenLabNN
/// Setting values at dotted paths (sweep overrides).
extension YAMLNode {
    /// Replaces the value at `path`; missing keys are added (the parse that follows rejects
    /// them where they are not valid keys). Numeric components index into lists.
    mutating func set(path: [String], to value: YAMLNode, override o: Override) throws(SpecError) {
        guard let head = path.first else {
            self = value
            return
        }
        let rest = Array(path.dropFirst())
        switch self {
        case .mapping(var pairs, let location):
            if let i = pairs.firstIndex(where: { $0.key == head }) {
                try pairs[i].value.set(path: rest, to: value, override: o)
            } else {
                // a missing key is added (with empty mappings above it); the parse that
                // follows rejects it where it is not a valid key
                var added = YAMLNode.mapping([], o.keyLocation)
                try added.set(path: rest, to: value, override: o)
                pairs.append(YAMLPair(key: head, keyLocation: o.keyLocation, value: rest.isEmpty ? value : added))
            }
            self = .mapping(pairs, location)
        case .sequence(var items, let location):
            guard let index = Int(head), items.indices.contains(index) else {
                throw SpecError(.sweep, "sweep key '\(o.key)': '\(head)' is not an index of a list of \(items.count) items", at: o.keyLocation)
            }
            try items[index].set(path: rest, to: value, override: o)
            self = .sequence(items, location)
        case .scalar:
            throw SpecError(.sweep, "sweep key '\(o.key)' does not exist in the experiment: '\(head)' is below a plain value", at: o.keyLocation)
        }
    }

    /// The value at `path` of nested mappings, if there is one.
    public func value(at path: [String]) -> YAMLNode? {
        guard let head = path.first else { return self }
        guard case .mapping(let pairs, _) = self, let pair = pairs.first(where: { $0.key == head }) else { return nil }
        return pair.value.value(at: Array(path.dropFirst()))
    }

    /// Removes the entry at `path` of nested mappings, if there is one.
    mutating func remove(path: [String]) {
        guard let head = path.first, case .mapping(var pairs, let location) = self,
              let i = pairs.firstIndex(where: { $0.key == head }) else { return }
        if path.count == 1 {
            pairs.remove(at: i)
        } else {
            pairs[i].value.remove(path: Array(path.dropFirst()))
        }
        self = .mapping(pairs, location)
    }

    /// The same tree with every place on its first line moved right by `columns`.
    func shifted(columns: Int) -> YAMLNode {
        func move(_ l: SourceLocation) -> SourceLocation {
            l.line == 1 ? SourceLocation(file: l.file, line: 1, column: l.column + columns) : l
        }
        switch self {
        case .scalar(let text, let plain, let l): return .scalar(text, isPlain: plain, move(l))
        case .sequence(let items, let l): return .sequence(items.map { $0.shifted(columns: columns) }, move(l))
        case .mapping(let pairs, let l):
            return .mapping(pairs.map { YAMLPair(key: $0.key, keyLocation: move($0.keyLocation), value: $0.value.shifted(columns: columns)) }, move(l))
        }
    }
}
