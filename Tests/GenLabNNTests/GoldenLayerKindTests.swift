import GenLabCore
import GenLabNN
import GenLabTestSupport
import Testing

/// The layer kinds added after the notebooks against PyTorch (pytorch-layers.json, from
/// `generate_layer_reference.py`): each built from its YAML as an experiment file writes it,
/// printed as PyTorch prints the module, and its output, input gradient, parameter
/// gradients and buffers equal to PyTorch's (1e-5 absolute + 1e-4 relative); and each
/// against finite differences.
@Suite struct GoldenLayerKindTests {
    @Test func fixtureHasAllCases() {
        #expect(Golden.layerKindCases.count == 24)
    }

    /// The kind `yaml` names, parsed as an experiment file's layer entry.
    static func kind(_ yaml: String) throws -> any LayerKind {
        let node = try YAMLNode.parse(yaml, file: "layer.yaml")
        let (name, arguments) = try #require(node.namedChoice)
        let type = try #require(LayerCatalog.kind(named: name), "no layer kind '\(name)'")
        return try type.parse(arguments, path: name)
    }

    /// Each line's indentation, submodule name and type ("    (1): Conv2d"), or ")".
    static func skeleton(_ text: String) -> [String] {
        text.split(separator: "\n").map { line in
            let indent = line.prefix { $0 == " " }
            var rest = line.dropFirst(indent.count)
            var head = ""
            if rest.hasPrefix("("), let close = rest.firstIndex(of: ")"), rest[rest.index(after: close)...].hasPrefix(": ") {
                head = String(rest[...close]) + ": "
                rest = rest[rest.index(close, offsetBy: 3)...]
            }
            return String(indent) + head + String(rest.prefix { $0 != "(" })
        }
    }

    /// The layer of a case, built for its input and holding its parameters and buffers.
    static func layer(_ c: GoldenCase) throws -> (any LayerKind, Layer) {
        let kind = try kind(try #require(c.yaml))
        let input = Array(try #require(c.input).shape.dropFirst())
        var generator = RandomGenerator(seed: 1)
        let layer = try kind.build(input: input, generator: &generator)
        layer.isTraining = c.train ?? true
        let params = c.params ?? [:]
        let slots = layer.parameters.map { ($0.name, $0.parameter.value) } + layer.buffers.map { ($0.name, $0.tensor) }
        #expect(Set(slots.map(\.0)) == Set(params.keys.filter { !$0.hasSuffix("num_batches_tracked") }), "state_dict keys")
        for (name, tensor) in slots { #expect(Golden.load(try #require(params[name]), into: tensor), "\(name) shape") }
        return (kind, layer)
    }

    @Test(arguments: Golden.layerKindCases.map(\.name))
    func layerMatchesPyTorch(_ name: String) throws {
        let c = try #require(Golden.named(name))
        let (kind, layer) = try GoldenLayerKindTests.layer(c)
        let input = try #require(c.input)
        let text = kind.describe(input: Array(input.shape.dropFirst())).text
        if c.module.hasPrefix("Residual") {
            // the block's structure as PyTorch prints it (GenLab's texts of its convolutions
            // and BatchNorms are shorter than PyTorch's)
            #expect(GoldenLayerKindTests.skeleton(text) == GoldenLayerKindTests.skeleton(c.module), "\(text)")
        } else {
            #expect(text == c.module, "printed as PyTorch prints it")
        }
        try GoldenLayerTests.check(layer, against: c)
    }

    /// Central differences of Σ output ⊙ r on every case's layer. The inputs are distinct,
    /// 0.05 apart in a shuffled order and 0.0123 off the multiples of 0.05, so that no step of
    /// the difference (±0.01) crosses a kink (ELU's 0, Softplus's threshold) or swaps a
    /// window's largest value.
    @Test(arguments: Golden.layerKindCases.map(\.name))
    func gradientsMatchDifferences(_ name: String) throws {
        let c = try #require(Golden.named(name))
        let (_, layer) = try GoldenLayerKindTests.layer(c)
        // a training-mode BatchNorm moves every value when one moves, putting a following
        // ReLU's kink anywhere: checked in evaluation mode
        if c.yaml?.contains("batchnorm") == true { layer.isTraining = false }
        let input = Tensor(zeros: try #require(c.input).shape)
        let n = input.count
        for i in 0..<n { input[i] = Float((i * 37) % n - n / 2) * 0.05 + 0.0123 }
        #expect(try GradientCheck.layer(layer, input: input).isEmpty)
    }

    /// `outputShape(input:)`, which residual blocks count parameters with, is the built
    /// layer's output shape for every kind with parameters (and a few without).
    @Test(arguments: [
        ("{linear: {out: 7}}", [5]), ("{conv2d: {out: 4, kernel: 4, stride: 2, padding: 1}}", [3, 9, 7]),
        ("{conv_transpose2d: {out: 2, kernel: 3, stride: 2, padding: 1, output_padding: 1}}", [3, 4, 5]),
        ("batchnorm", [3, 4, 4]), ("batchnorm", [6]), ("bias", [2, 3, 3]), ("{groupnorm: {groups: 2}}", [4, 3, 3]),
        ("layernorm", [2, 5]), ("{maxpool2d: {kernel: 3, stride: 2, padding: 1}}", [2, 7, 9]), ("{upsample: {scale: 3}}", [1, 2, 2]),
        ("{residual: {body: [{conv2d: {out: 6, kernel: 3, stride: 2, padding: 1}}], shortcut: [{avgpool2d: {kernel: 2}}, {conv2d: {out: 6, kernel: 1}}]}}", [3, 8, 8]),
    ])
    func outputShapeWithoutBuildingIsTheBuiltOne(_ yaml: String, _ input: [Int]) throws {
        let kind = try GoldenLayerKindTests.kind(yaml)
        var generator = RandomGenerator(seed: 0)
        let layer = try kind.build(input: input, generator: &generator)
        #expect(try kind.outputShape(input: input) == Array(try layer.outputShape(for: [2] + input).dropFirst()))
        #expect(kind.parameterCount(input: input) == layer.parameterCount)
    }
}
