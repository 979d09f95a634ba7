/// Setting values at dotted paths (sweep overrides).
extension YAMLNode {
    /// Replaces the value at `path`; a missing last key is added to its mapping (the parse
    /// that follows rejects it if it is not a valid key there). Numeric components index
    /// into lists.
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
            } else if rest.isEmpty {
                pairs.append(YAMLPair(key: head, keyLocation: o.keyLocation, value: value))
            } else {
                let near = NearestKey.suggestion(for: head, among: pairs.map(\.key))
                throw SpecError("sweep key '\(o.key)' does not exist in the experiment: no '\(head)' here\(near.map { " — did you mean '\($0)'?" } ?? "")", at: o.keyLocation)
            }
            self = .mapping(pairs, location)
        case .sequence(var items, let location):
            guard let index = Int(head), items.indices.contains(index) else {
                throw SpecError("sweep key '\(o.key)': '\(head)' is not an index of a list of \(items.count) items", at: o.keyLocation)
            }
            try items[index].set(path: rest, to: value, override: o)
            self = .sequence(items, location)
        case .scalar:
            throw SpecError("sweep key '\(o.key)' does not exist in the experiment: '\(head)' is below a plain value", at: o.keyLocation)
        }
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
}
