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
        #expect(Golden.layerKindCases.count == 19)
    }

    /// The kind `yaml` names, parsed as an experiment file's layer entry.
    static func kind(_ yaml: String) throws -> any LayerKind {
        let node = try YAMLNode.parse(yaml, file: "layer.yaml")
        let (name, arguments) = try #require(node.namedChoice)
        let type = try #require(LayerCatalog.kind(named: name), "no layer kind '\(name)'")
        return try type.parse(arguments, path: name)
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
        #expect(kind.describe(input: Array(input.shape.dropFirst())).text == c.module, "printed as PyTorch prints it")
        let output = try layer.forward(input.tensor)
        #expect(Golden.mismatches(output.values, try #require(c.output), shape: output.shape) == [], "output")
        let gradInput = try layer.backward(try #require(c.gradOutput).tensor)
        #expect(Golden.mismatches(gradInput.values, try #require(c.gradInput), shape: gradInput.shape) == [], "grad_input")
        for (key, expected) in c.gradParams ?? [:] {
            let p = try #require(layer.parameters.first { $0.name == key }, "parameter \(key)")
            #expect(Golden.mismatches(p.parameter.grad.values, expected, shape: p.parameter.grad.shape) == [], "grad \(key)")
        }
        for (key, expected) in c.stateAfter ?? [:] {
            let slots = layer.parameters.map { ($0.name, $0.parameter.value) } + layer.buffers.map { ($0.name, $0.tensor) }
            let t = try #require(slots.first { $0.0 == key }?.1, "state \(key)")
            #expect(Golden.mismatches(t.values, expected, shape: t.shape) == [], "state \(key)")
        }
    }

    /// Central differences of Σ output ⊙ r on every case's layer. The inputs are distinct,
    /// 0.05 apart in a shuffled order and 0.0123 off the multiples of 0.05, so that no step of
    /// the difference (±0.01) crosses a kink (ELU's 0, Softplus's threshold) or swaps a
    /// window's largest value.
    @Test(arguments: Golden.layerKindCases.map(\.name))
    func gradientsMatchDifferences(_ name: String) throws {
        let c = try #require(Golden.named(name))
        let (_, layer) = try GoldenLayerKindTests.layer(c)
        let input = Tensor(zeros: try #require(c.input).shape)
        let n = input.count
        for i in 0..<n { input[i] = Float((i * 37) % n - n / 2) * 0.05 + 0.0123 }
        #expect(try GradientCheck.layer(layer, input: input).isEmpty)
    }
}
