import GenLabNN
import Testing

@Suite struct InitializationTests {
    /// PyTorch's default: U(±1/√fan_in) for weights and biases, fan_in = size(1)·k·k (so the
    /// *output* channels of a ConvTranspose2d).
    @Test func pytorchDefaultBounds() {
        let linear = Linear(inFeatures: 100, outFeatures: 50)
        let convT = ConvTranspose2d(inChannels: 4, outChannels: 9, kernelSize: 3)
        var generator = RandomGenerator(seed: 1)
        Initialization.pytorch.apply(to: Sequential([linear, convT]), generator: &generator)
        let linearValues = linear.weight.value.values + linear.bias!.value.values
        #expect(linearValues.allSatisfy { abs($0) <= 0.1 })
        #expect(linearValues.map { abs($0) }.max()! > 0.09)
        let convValues = convT.weight.value.values
        #expect(convValues.allSatisfy { abs($0) <= 1 / 9 })
        #expect(convValues.map { abs($0) }.max()! > 0.1)
    }

    @Test func dcganDrawsConvolutionsAndBatchNormFromNormals() {
        let conv = Conv2d(inChannels: 64, outChannels: 64, kernelSize: 4, bias: false)
        let norm = BatchNorm(dimensions: 2, features: 4096)
        let linear = Linear(inFeatures: 400, outFeatures: 1)
        var generator = RandomGenerator(seed: 2)
        Initialization.dcgan.apply(to: Sequential([conv, norm, linear]), generator: &generator)
        func moments(_ v: [Float]) -> (Double, Double) {
            let mean = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
            let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v.count)
            return (mean, variance.squareRoot())
        }
        let (convMean, convStd) = moments(conv.weight.value.values)
        #expect(abs(convMean) < 0.001 && abs(convStd - 0.02) < 0.001)
        let (normMean, normStd) = moments(norm.weight.value.values)
        #expect(abs(normMean - 1) < 0.002 && abs(normStd - 0.02) < 0.002)
        #expect(norm.bias.value.values.allSatisfy { $0 == 0 })
        #expect(linear.weight.value.values.allSatisfy { abs($0) <= 0.05 })
    }

    @Test func sameSeedSameWeights() {
        func draw() -> [Float] {
            let g = Sequential([Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3), Linear(inFeatures: 4, outFeatures: 2)])
            var generator = RandomGenerator(seed: 9)
            Initialization.pytorch.apply(to: g, generator: &generator)
            return g.parameters.flatMap { $0.parameter.value.values }
        }
        #expect(draw() == draw())
    }
}
