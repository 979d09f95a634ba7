/// One kind of layer as an experiment file writes it, and everything GenLab does with it
/// before training: read its arguments, count its parameters, build it for an input shape,
/// print it as PyTorch does, and mirror it for `decoder: mirror`.
///
/// Each kind lives in the file of its layer, next to the layer's forward and backward
/// passes, its initialisation (`Layer.reset`) and its buffers; `LayerCatalog` lists them.
public protocol LayerKind: Sendable {
    /// The name in experiment files ("conv2d").
    static var name: String { get }
    /// How to write it with arguments, for errors ("'linear: {out: 128}'"); nil when the
    /// bare name is complete.
    static var example: String? { get }
    /// Reads the arguments (nil for a bare name) at key path `path`.
    static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Self
    /// The trainable parameters on items of `input`, counted without building (nil when the
    /// count overflows).
    func parameterCount(input: [Int]) -> Int?
    /// The layer for items of `input` (parameters zero until `reset`; `generator` draws what
    /// construction draws, a spectral norm's u and v), or why the input does not fit.
    func build(input: [Int], generator: inout RandomGenerator) throws(ShapeError) -> Layer
    /// One item's output shape for items of `input`, without allocating parameters (a
    /// residual block counts its layers' parameters through it), or why the input does not
    /// fit. Kinds with parameters compute it; the others are built.
    func outputShape(input: [Int]) throws(ShapeError) -> [Int]
    /// The layer built for items of `input` as PyTorch constructs and prints it.
    func describe(input: [Int]) -> LayerDescription
    /// The kinds that undo this one in a mirrored decoder, taking items of `output` back to
    /// `input` (empty when nothing is needed), or why it cannot be undone.
    func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind]
    /// Whether `other` is the same kind with the same arguments.
    func isEqual(_ other: any LayerKind) -> Bool
}

extension LayerKind where Self: Equatable {
    public func isEqual(_ other: any LayerKind) -> Bool { (other as? Self) == self }
}

extension LayerKind {
    public static var example: String? { nil }
    public func parameterCount(input: [Int]) -> Int? { 0 }
    /// Built: for kinds without parameters, building allocates nothing of note.
    public func outputShape(input: [Int]) throws(ShapeError) -> [Int] {
        var scratch = RandomGenerator(seed: 0)
        return Array(try build(input: input, generator: &scratch).outputShape(for: [1] + input).dropFirst())
    }
    /// Kept as it is (activations, normalisation, per-pixel bias).
    public func mirror(input: [Int], output: [Int]) throws(ShapeError) -> [any LayerKind] { [self] }

    /// Throws `hint` unless items have `rank` dimensions.
    func require(rank: Int, _ input: [Int], _ hint: String) throws(ShapeError) {
        guard input.count == rank else { throw ShapeError("\(hint), but its input is \(input.shapeDescription)") }
    }

    /// Checks that a kind written as a bare name was given no arguments.
    static func noArguments(_ arguments: YAMLNode?) throws(SpecError) {
        if let arguments {
            throw SpecError(.notApplicable, "layer '\(name)' takes no arguments; write '- \(name)'", at: arguments.location)
        }
    }
}

/// A kind whose layer has no parameters and nothing to mirror: built from its name alone.
public protocol BareLayerKind: LayerKind, Equatable {
    init()
}

extension BareLayerKind {
    public static func parse(_ arguments: YAMLNode?, path: String) throws(SpecError) -> Self {
        try noArguments(arguments)
        return Self()
    }
}

/// The largest width, channel count or unflattened size a layer may have (2²⁴); larger ones
/// could not be trained in memory, and the bound keeps all size arithmetic exact.
public let maxLayerSize = 1 << 24
/// The largest kernel, stride or padding.
public let maxLayerWindow = 4096

/// Every layer kind an experiment file can use, by name.
public enum LayerCatalog {
    public static let kinds: [any LayerKind.Type] = [
        Linear.Kind.self, Conv2d.Kind.self, ConvTranspose2d.Kind.self, BatchNorm.Kind.self,
        Activation.ReLU.self, Activation.LeakyReLU.self, Activation.Sigmoid.self, Activation.Tanh.self,
        Reshape.Flatten.self, Reshape.Unflatten.self, AdaptiveAvgPool2d.Kind.self, PixelBias.Kind.self,
        ELU.Kind.self, GELU.Kind.self, SiLU.Kind.self, Softplus.Kind.self,
        MaxPool2d.Kind.self, AvgPool2d.Kind.self, Upsample.Kind.self, GroupNorm.Kind.self, LayerNorm.Kind.self,
        Dropout.Kind.self, Dropout.Channels.self, Residual.Kind.self,
    ]

    /// The names, in the order above.
    public static var names: [String] { kinds.map { $0.name } }

    /// The kind called `name`.
    public static func kind(named name: String) -> (any LayerKind.Type)? { kinds.first { $0.name == name } }
}
