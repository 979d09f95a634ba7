import GenLabCore

/// One entry of a network's layer list, as written: sizes that depend on the input
/// (in-channels, in-features) are inferred when the network is built. What a kind of layer
/// reads, builds and prints is its `LayerKind`, in the file of its layer.
public struct LayerSpec: Equatable, Sendable {
    public var kind: any LayerKind
    public var location: SourceLocation

    public init(_ kind: any LayerKind, location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    public static func == (a: LayerSpec, b: LayerSpec) -> Bool { a.location == b.location && a.kind.isEqual(b.kind) }

    /// Whether the layer is of kind `type`.
    public func `is`<K: LayerKind>(_ type: K.Type) -> Bool { kind is K }

    /// The first layer of kind `K` in `specs`, depth first through residual blocks' bodies and
    /// shortcuts.
    public static func first<K: LayerKind>(_ type: K.Type, in specs: [LayerSpec]) -> LayerSpec? {
        for spec in specs {
            if spec.is(type) { return spec }
            if let block = spec.kind as? Residual.Kind, let found = first(type, in: block.body + block.shortcut) { return found }
        }
        return nil
    }

    /// Reads `- relu`, `- leaky_relu: {slope: 0.2}`, `- conv2d: {out: 16, kernel: 4, …}`,
    /// `- unflatten: [32, 7, 7]` and so on.
    package static func parse(_ node: YAMLNode, path: String) throws(SpecError) -> LayerSpec {
        guard let (name, arguments) = node.namedChoice else {
            throw SpecError(.wrongType, "'\(path)' must be a layer name or a one-key mapping such as 'linear: {out: 128}', found \(node.kindDescription)", at: node.location)
        }
        guard let kind = LayerCatalog.kind(named: name) else {
            throw SpecError(.unknownName, NearestKey.unknownMessage("layer", name, valid: LayerCatalog.names, in: path), at: node.location)
        }
        if arguments == nil, let example = kind.example {
            throw SpecError(.missingKey, "layer '\(name)' needs arguments, e.g. \(example)", at: node.location)
        }
        return LayerSpec(try kind.parse(arguments, path: "\(path).\(name)"), location: node.location)
    }

    /// Reads a layer list.
    package static func parseList(_ node: YAMLNode, path: String) throws(SpecError) -> [LayerSpec] {
        var layers: [LayerSpec] = []
        for (i, item) in try node.list(path, nonEmpty: true).enumerated() {
            layers.append(try parse(item, path: "\(path)[\(i)]"))
        }
        return layers
    }
}
