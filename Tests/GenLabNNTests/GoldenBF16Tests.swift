import GenLabNN
import GenLabTestSupport
import Testing

/// Layers in bf16 against the same layers under PyTorch's CPU autocast
/// (`torch.autocast("cpu", dtype=torch.bfloat16)`, pytorch-bf16.json): output, input gradient
/// and parameter gradients.
///
/// Both multiply the same operands rounded to bfloat16 (to nearest even) and sum the products
/// in float; they differ in three ways, which set the tolerance of each value:
/// - PyTorch rounds each result to bfloat16 (8-bit significand: within 2⁻⁹ of it; GenLab keeps
///   float): 2⁻⁸·|PyTorch's value|, twice that bound;
/// - it rounds a bias to bfloat16 before adding it, and sums a bias gradient from the output
///   gradient rounded to bfloat16 (GenLab adds and sums in float): 2⁻⁸·|b| for an output,
///   2⁻⁸·Σ|g| for a bias gradient;
/// - the products are summed in another order: 2⁻¹⁵·Σ|a·b|, Σ|a·b| from the same layer in fp32
///   on the operands' magnitudes (the bound `BF16LayerTests` holds GenLab to is 2⁻¹⁸).
/// A layer multiplying in float instead moves values by up to 2⁻⁹·Σ|a·b|/√k·(a few), outside
/// these bounds wherever |value| is small beside Σ|a·b|.
@Suite(.serialized) struct GoldenBF16Tests {
    static let names = Golden.bf16Cases.map(\.name)

    @Test func fixtureHasEveryPath() {
        #expect(GoldenBF16Tests.names.count == 8)
    }

    @Test(arguments: names) func layerMatchesAutocast(_ name: String) throws {
        let c = try #require(Golden.bf16Cases.first { $0.name == name })
        let layer = try GoldenLayerTests.makeLayer(c)
        layer.use(.bf16)
        let input = try #require(c.input).tensor, gradOutput = try #require(c.gradOutput).tensor
        let parameters = layer.parameters.map { named in
            let copy = Tensor(zeros: named.parameter.value.shape)
            copy.copy(from: named.parameter.value)
            return copy
        }
        let ours = try BF16LayerTests.run(layer, parameters: parameters, input: input, gradOutput: gradOutput)

        // Σ|a·b| (and Σ|g| for a bias gradient): a float layer on the rounded operands' magnitudes
        let magnitudeLayer = try GoldenLayerTests.makeLayer(c)
        let magnitude = { (t: Tensor) in BF16LayerTests.mapped(t) { abs(Precision.roundedToBF16($0)) } }
        let isBias = layer.parameters.map { $0.name == "bias" }
        let sums = try BF16LayerTests.run(magnitudeLayer, parameters: zip(parameters, isBias).map { $1 ? Tensor(zeros: $0.shape) : magnitude($0) },
                                          input: magnitude(input), gradOutput: magnitude(gradOutput))
        let bias = zip(layer.parameters, parameters).first { $0.0.name == "bias" }?.1
        let outputShape = try layer.outputShape(for: input.shape)
        // |b| of each output value's channel (the second axis), 0 without a bias
        let biasOf: (Int) -> Double = { i in
            guard let bias else { return 0 }
            let plane = outputShape.dropFirst(2).reduce(1, *)
            return Double(abs(bias[(i / plane) % bias.count]))
        }

        func check(_ ours: [Float], _ expected: GoldenTensor, _ sums: [Float], extra: (Int) -> Double, _ what: String) {
            #expect(ours.count == expected.data.count, "\(what): \(ours.count) values, PyTorch \(expected.data.count)")
            var worst = (excess: 0.0, index: 0)
            for i in 0..<min(ours.count, expected.data.count) {
                let theirs = expected.data[i]
                let tolerance = 0x1p-8 * abs(theirs) + 0x1p-8 * extra(i) + 0x1p-15 * Double(sums[i])
                let excess = abs(Double(ours[i]) - theirs) / tolerance
                if excess > worst.excess { worst = (excess, i) }
            }
            #expect(worst.excess <= 1, "\(what): value \(worst.index) is \(ours[worst.index]), PyTorch's \(expected.data[worst.index]) (\(worst.excess)× the tolerance)")
        }
        check(ours.output, try #require(c.output), sums.output, extra: biasOf, "output")
        check(ours.gradInput, try #require(c.gradInput), sums.gradInput, extra: { _ in 0 }, "input gradient")
        for (i, p) in layer.parameters.enumerated() {
            let expected = try #require(c.gradParams?[p.name], "PyTorch's \(p.name) gradient")
            // a bias gradient is a sum of output gradients: Σ|g| bounds what rounding g moves it by
            check(ours.gradParameters[i], expected, sums.gradParameters[i], extra: { p.name == "bias" ? Double(sums.gradParameters[i][$0]) : 0 },
                  "\(p.name) gradient")
        }
    }
}
