/// One built layer as PyTorch would construct it: the module, its constructor arguments with
/// every size resolved (in-channels and in-features inferred from the input), whether it is
/// wrapped in `spectral_norm`, and the line `genlab plan` prints. Run files store it (see
/// `ModelDescription`), so that other tools rebuild a network without GenLab's rules.
public struct LayerDescription: Equatable, Sendable {
    /// The `torch.nn` module ("Conv2d", "BatchNorm2d", "LeakyReLU"), or "BiasLayer" for
    /// GenLab's per-pixel bias (CIS-522's module of that name: y = x + b, b of the item shape).
    public var module: String
    /// The constructor's keyword arguments, resolved, in PyTorch's order and names.
    public var arguments: [(String, JSONValue)]
    /// Wrapped in `torch.nn.utils.spectral_norm` (W = weight_orig / σ with the stored u, v).
    public var spectralNorm: Bool
    /// PyTorch-style text: "Conv2d(1, 16, kernel_size=4, stride=2, padding=1, bias=False)";
    /// a residual block's spans lines, its layers indented as PyTorch prints submodules.
    public var text: String
    /// A residual block's `Sequential`s by attribute ("body", "shortcut"), each its layers;
    /// empty for other layers.
    public var blocks: [(name: String, layers: [LayerDescription])] = []

    public init(_ module: String, _ arguments: [(String, JSONValue)] = [], spectralNorm: Bool = false, text: String? = nil) {
        self.module = module
        self.arguments = arguments
        self.spectralNorm = spectralNorm
        let plain = text ?? "\(module)()"
        self.text = spectralNorm ? "spectral_norm(\(plain))" : plain
    }

    public static func == (a: LayerDescription, b: LayerDescription) -> Bool { a.json == b.json }

    /// A residual block: its blocks' layers, and its text as PyTorch prints the module.
    public init(blocks: [(name: String, layers: [LayerDescription])]) {
        self.init("Residual")
        self.blocks = blocks
        let indent = { (text: String) in text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n  ") }
        text = "Residual(\n" + blocks.map { block in
            let inner = block.layers.enumerated().map { "    (\($0.offset)): " + indent(indent($0.element.text)) + "\n" }.joined()
            return "  (\(block.name)): Sequential(" + (block.layers.isEmpty ? ")" : "\n" + inner + "  )") + "\n"
        }.joined() + ")"
    }

    /// {"module": …, "arguments": {…}, "spectral_norm": …, "text": …}, and a residual block's
    /// {"body": [layers], "shortcut": [layers]}, each layer with its `index` in its block.
    public var json: JSONValue {
        let nested: [(String, JSONValue)] = blocks.map { block in
            (block.name, .array(block.layers.enumerated().map { index, layer in
                guard case .object(let pairs) = layer.json else { return layer.json }
                return .object([("index", .int(index))] + pairs)
            }))
        }
        return .object([("module", .string(module)), ("arguments", .object(arguments)), ("spectral_norm", .bool(spectralNorm)),
                        ("text", .string(text))] + nested)
    }
}
