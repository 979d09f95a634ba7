import GenLabNN

/// One entry of a network's layer list, as written: sizes that depend on the input
/// (in-channels, in-features) are inferred when the network is built.
public struct LayerSpec: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case linear(out: Int, bias: Bool)
        case conv2d(out: Int, kernel: Int, stride: Int, padding: Int, bias: Bool)
        case convTranspose2d(out: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int, bias: Bool)
        /// BatchNorm1d or BatchNorm2d, chosen by the input's rank.
        case batchNorm
        case relu
        case leakyReLU(slope: Double)
        case sigmoid
        case tanh
        case flatten
        case unflatten([Int])
        /// AdaptiveAvgPool2d(1).
        case avgPool
        /// The per-pixel learnable bias (CIS-522's BiasLayer).
        case bias
    }

    public var kind: Kind
    /// Wrapped in `spectral_norm` (Linear and Conv2d only).
    public var spectralNorm: Bool
    public var location: SourceLocation

    public init(_ kind: Kind, spectralNorm: Bool = false, location: SourceLocation) {
        self.kind = kind
        self.spectralNorm = spectralNorm
        self.location = location
    }

    /// The layer names an experiment file can use.
    public static let names = [
        "linear", "conv2d", "conv_transpose2d", "batchnorm", "relu", "leaky_relu", "sigmoid", "tanh",
        "flatten", "unflatten", "avgpool", "bias",
    ]

    /// Layers written as a bare name (`- relu`).
    static let bareNames: Set = ["batchnorm", "relu", "leaky_relu", "sigmoid", "tanh", "flatten", "avgpool", "bias"]

    /// Reads `- relu`, `- leaky_relu: {slope: 0.2}`, `- conv2d: {out: 16, kernel: 4, …}`,
    /// `- unflatten: [32, 7, 7]` and so on.
    static func parse(_ node: YAMLNode, path: String) throws(SpecError) -> LayerSpec {
        let location = node.location
        guard let (name, arguments) = node.namedChoice else {
            throw SpecError(.wrongType, "'\(path)' must be a layer name or a one-key mapping such as 'linear: {out: 128}', found \(node.kindDescription)", at: location)
        }
        guard names.contains(name) else {
            throw SpecError(.unknownName, NearestKey.unknownMessage("layer", name, valid: names, in: path), at: location)
        }
        let layerPath = "\(path).\(name)"
        if arguments == nil, !bareNames.contains(name) {
            throw SpecError(.invalidValue, "layer '\(name)' needs arguments, e.g. \(example(name))", at: location)
        }
        switch name {
        case "linear":
            let f = try arguments!.fields(layerPath, allowed: ["out", "bias", "spectral_norm"])
            return LayerSpec(.linear(out: try f.required("out").int(f.path("out"), min: 1, max: maxSize),
                                     bias: try f["bias"]?.bool(f.path("bias")) ?? true),
                             spectralNorm: try f["spectral_norm"]?.bool(f.path("spectral_norm")) ?? false,
                             location: location)
        case "conv2d":
            let f = try arguments!.fields(layerPath, allowed: ["out", "kernel", "stride", "padding", "bias", "spectral_norm"])
            let (out, kernel, stride, padding, bias) = try convolution(f)
            return LayerSpec(.conv2d(out: out, kernel: kernel, stride: stride, padding: padding, bias: bias),
                             spectralNorm: try f["spectral_norm"]?.bool(f.path("spectral_norm")) ?? false,
                             location: location)
        case "conv_transpose2d":
            let f = try arguments!.fields(layerPath, allowed: ["out", "kernel", "stride", "padding", "output_padding", "bias"])
            let (out, kernel, stride, padding, bias) = try convolution(f)
            let outputPadding = try f["output_padding"]?.int(f.path("output_padding"), min: 0) ?? 0
            guard outputPadding < stride else {
                throw SpecError(.invalidValue, "'\(f.path("output_padding"))' must be smaller than the stride (\(stride)), found \(outputPadding)",
                                at: f["output_padding"]!.location)
            }
            return LayerSpec(.convTranspose2d(out: out, kernel: kernel, stride: stride, padding: padding,
                                              outputPadding: outputPadding, bias: bias), location: location)
        case "leaky_relu":
            guard let arguments else { return LayerSpec(.leakyReLU(slope: 0.01), location: location) }
            let f = try arguments.fields(layerPath, allowed: ["slope"])
            return LayerSpec(.leakyReLU(slope: try f["slope"]?.double(f.path("slope"), min: 0) ?? 0.01), location: location)
        case "unflatten":
            let items = try arguments!.list(layerPath, nonEmpty: true)
            var shape: [Int] = []
            for (i, item) in items.enumerated() { shape.append(try item.int("\(layerPath)[\(i)]", min: 1, max: maxSize)) }
            guard shape.count <= 3, Tensor.checkedElementCount(shape).map({ $0 <= maxSize }) ?? false else {
                throw SpecError(.outOfRange, "'\(layerPath)' must be at most 3 sizes whose product is at most \(maxSize), found \(shape.shapeDescription)", at: arguments!.location)
            }
            return LayerSpec(.unflatten(shape), location: location)
        default:
            if let arguments {
                throw SpecError(.notApplicable, "layer '\(name)' takes no arguments; write '- \(name)'", at: arguments.location)
            }
            let kinds: [String: Kind] = [
                "batchnorm": .batchNorm, "relu": .relu, "sigmoid": .sigmoid, "tanh": .tanh,
                "flatten": .flatten, "avgpool": .avgPool, "bias": .bias,
            ]
            return LayerSpec(kinds[name]!, location: location)
        }
    }

    /// The largest width, channel count or unflattened size a layer may have (2²⁴); larger
    /// ones could not be trained in memory, and the bound keeps all size arithmetic exact.
    public static let maxSize = 1 << 24
    /// The largest kernel, stride or padding.
    public static let maxWindow = 4096

    private static func convolution(_ f: Fields) throws(SpecError) -> (Int, Int, Int, Int, Bool) {
        (try f.required("out").int(f.path("out"), min: 1, max: maxSize),
         try f.required("kernel").int(f.path("kernel"), min: 1, max: maxWindow),
         try f["stride"]?.int(f.path("stride"), min: 1, max: maxWindow) ?? 1,
         try f["padding"]?.int(f.path("padding"), min: 0, max: maxWindow) ?? 0,
         try f["bias"]?.bool(f.path("bias")) ?? true)
    }

    private static func example(_ name: String) -> String {
        switch name {
        case "linear": "'linear: {out: 128}'"
        case "conv2d": "'conv2d: {out: 16, kernel: 4, stride: 2, padding: 1}'"
        case "conv_transpose2d": "'conv_transpose2d: {out: 16, kernel: 4, stride: 2, padding: 1}'"
        default: "'unflatten: [32, 7, 7]'"
        }
    }

    /// Reads a layer list.
    static func parseList(_ node: YAMLNode, path: String) throws(SpecError) -> [LayerSpec] {
        var layers: [LayerSpec] = []
        for (i, item) in try node.list(path, nonEmpty: true).enumerated() {
            layers.append(try parse(item, path: "\(path)[\(i)]"))
        }
        return layers
    }
}
