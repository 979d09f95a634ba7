import GenLabCore
import GenLabNN
import GenLabTestSupport
import Testing

/// Dropout and Dropout2d through their documented stream: the mask is one uniform draw per
/// value (per channel of an item) from the model's dropout stream, a draw below p drops and a
/// kept value is scaled by 1/(1 − p), as `torch.nn.Dropout` scales; evaluation is the
/// identity; the gradient goes through the same mask.
@Suite struct DropoutTests {
    static func layer(_ yaml: String, input: [Int], seed: UInt64 = 5) throws -> (Dropout, DropoutNoise) {
        let kind = try GoldenLayerKindTests.kind(yaml)
        var generator = RandomGenerator(seed: 0)
        let layer = try #require(try kind.build(input: input, generator: &generator) as? Dropout)
        let noise = DropoutNoise(RandomGenerator(seed: seed, stream: .dropout))
        layer.noise = noise
        return (layer, noise)
    }

    @Test(arguments: [("{dropout: {p: 0.3}}", [2, 3, 4, 4], 1), ("{dropout2d: {p: 0.5}}", [3, 4, 2, 3], 6), ("{dropout: {p: 0.8}}", [5, 7], 1)])
    func maskIsTheDocumentedStream(_ yaml: String, _ shape: [Int], _ span: Int) throws {
        let (layer, _) = try DropoutTests.layer(yaml, input: Array(shape.dropFirst()))
        let x = GradientCheck.random(shape, seed: 3, margin: 0.1)
        let y = try layer.forward(x).clone()
        var expected = RandomGenerator(seed: 5, stream: .dropout)
        let draws = Tensor(zeros: [x.count / span])
        expected.fillUniform(draws.buffer, low: 0, high: 1)
        let p = layer.p, scale = 1 / (1 - p)
        var dropped = 0
        for i in 0..<x.count {
            let keep = draws[i / span] >= p
            #expect(y[i] == (keep ? x[i] * scale : 0), "value \(i)")
            if !keep { dropped += 1 }
        }
        #expect(dropped > 0 && dropped < x.count, "some values dropped, not all")
        let g = GradientCheck.random(shape, seed: 4)
        let dx = try layer.backward(g)
        for i in 0..<x.count { #expect(dx[i] == (draws[i / span] >= p ? g[i] * scale : 0), "gradient \(i)") }
    }

    @Test func evaluationIsTheIdentityAndDrawsNothing() throws {
        let (layer, noise) = try DropoutTests.layer("{dropout: {p: 0.5}}", input: [6])
        layer.isTraining = false
        let before = noise.generator.state
        let x = GradientCheck.random([4, 6], seed: 3)
        #expect(try layer.forward(x).values == x.values)
        #expect(try layer.backward(x).values == x.values)
        #expect(noise.generator.state == before)
    }

    @Test func successiveBatchesDrawFreshMasks() throws {
        let (layer, _) = try DropoutTests.layer("{dropout: {p: 0.5}}", input: [64])
        let x = Tensor(repeating: 1, shape: [1, 64])
        let first = try layer.forward(x).values
        #expect(try layer.forward(x).values != first)
    }

    @Test(arguments: [("{dropout: {p: 1}}", "at least 0 and below 1"), ("{dropout: {p: -0.1}}", "at least 0"),
                      ("{dropout2d: {q: 0.1}}", "q")])
    func badProbabilityIsALocatedError(_ yaml: String, _ message: String) throws {
        let error = try #require(throws: SpecError.self) { _ = try GoldenLayerKindTests.kind(yaml) }
        #expect(error.message.contains(message) && error.location != nil, "\(error.description)")
    }
}
