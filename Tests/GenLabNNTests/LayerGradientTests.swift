import GenLabNN
import GenLabTestSupport
import Testing

/// Finite-difference gradient checks of every layer on small random shapes.
@Suite struct LayerGradientTests {
    typealias Case = LayerCase<Layer>

    static let cases: [Case] = [
        Case("linear", [3, 5]) { Linear(inFeatures: 5, outFeatures: 4) },
        Case("linear without bias", [2, 3]) { Linear(inFeatures: 3, outFeatures: 2, bias: false) },
        Case("conv2d k3 s1 p1", [2, 2, 5, 4]) { Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1) },
        Case("conv2d k4 s2 p1", [2, 2, 6, 6]) { Conv2d(inChannels: 2, outChannels: 2, kernelSize: 4, stride: 2, padding: 1, bias: false) },
        Case("conv2d k2 s3 p0", [1, 1, 7, 7]) { Conv2d(inChannels: 1, outChannels: 2, kernelSize: 2, stride: 3) },
        Case("conv_transpose2d k4 s2 p1", [2, 3, 3, 3]) { ConvTranspose2d(inChannels: 3, outChannels: 2, kernelSize: 4, stride: 2, padding: 1) },
        Case("conv_transpose2d k3 s2 p1 output_padding 1", [1, 2, 3, 2]) {
            ConvTranspose2d(inChannels: 2, outChannels: 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1)
        },
        Case("conv_transpose2d k5 s1 from 1×1", [2, 3, 1, 1]) { ConvTranspose2d(inChannels: 3, outChannels: 2, kernelSize: 5, bias: false) },
        Case("batchnorm1d (N, C)", [5, 3]) { BatchNorm(dimensions: 1, features: 3) },
        Case("batchnorm1d (N, C, L)", [3, 2, 4]) { BatchNorm(dimensions: 1, features: 2) },
        Case("batchnorm2d", [3, 2, 3, 3]) { BatchNorm(dimensions: 2, features: 2) },
        Case("batchnorm2d eval", [2, 2, 2, 2], training: false) {
            let norm = BatchNorm(dimensions: 2, features: 2)
            norm.runningMean[0] = 0.3
            norm.runningVar[1] = 2.5
            return norm
        },
        Case("relu", [3, 4], margin: 0.05) { Activation(.relu) },
        Case("leaky_relu 0.01", [3, 4], margin: 0.05) { Activation(.leakyReLU(slope: 0.01)) },
        Case("leaky_relu 0.2", [3, 4], margin: 0.05) { Activation(.leakyReLU(slope: 0.2)) },
        Case("leaky_relu -0.3", [3, 4], margin: 0.05) { Activation(.leakyReLU(slope: -0.3)) },
        Case("sigmoid", [3, 4]) { Activation(.sigmoid) },
        Case("tanh", [3, 4]) { Activation(.tanh) },
        Case("flatten", [2, 2, 2, 3]) { Reshape.flatten() },
        Case("unflatten", [2, 12]) { Reshape.unflatten([3, 2, 2]) },
        Case("adaptive_avgpool2d", [2, 3, 3, 2]) { AdaptiveAvgPool2d() },
        Case("pixel bias", [2, 2, 3, 3]) { PixelBias(itemShape: [2, 3, 3]) },
        Case("spectral_norm linear (eval)", [3, 4], training: false) {
            var generator = RandomGenerator(seed: 1)
            return SpectralNorm(Linear(inFeatures: 4, outFeatures: 3), generator: &generator)
        },
        Case("spectral_norm conv2d (eval)", [2, 2, 4, 4], training: false) {
            var generator = RandomGenerator(seed: 2)
            return SpectralNorm(Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3), generator: &generator)
        },
        Case("sequential conv-bn-tanh-pool-flatten-linear", [3, 1, 6, 6]) {
            Sequential([
                Conv2d(inChannels: 1, outChannels: 2, kernelSize: 3, stride: 1, padding: 1),
                BatchNorm(dimensions: 2, features: 2),
                Activation(.tanh),
                AdaptiveAvgPool2d(),
                Reshape.flatten(),
                Linear(inFeatures: 2, outFeatures: 1),
            ])
        },
    ]

    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(_ c: Case) throws {
        let layer = c.make()
        var generator = RandomGenerator(seed: 3)
        Initialization.pytorch.apply(to: layer, generator: &generator)
        for p in layer.parameters where p.name == "bias" && p.parameter.value.values.allSatisfy({ $0 == 0 }) {
            generator.fillUniform(p.parameter.value.buffer, low: -0.5, high: 0.5)
        }
        layer.isTraining = c.training
        let failures = try GradientCheck.layer(layer, input: c.input(seed: 5))
        #expect(failures.isEmpty, "\(failures.joined(separator: "; "))")
    }

    @Test func parameterGradientsCanBeSwitchedOff() throws {
        let conv = Conv2d(inChannels: 1, outChannels: 2, kernelSize: 3)
        var generator = RandomGenerator(seed: 4)
        Initialization.pytorch.apply(to: conv, generator: &generator)
        let input = GradientCheck.random([1, 1, 4, 4], seed: 6)
        let out = try conv.forward(input)
        let g = GradientCheck.random(out.shape, seed: 7)
        let gradInput = try conv.backward(g, accumulateParameterGradients: false)
        #expect(gradInput.values.contains { $0 != 0 })
        #expect(conv.weight.grad.values.allSatisfy { $0 == 0 })
        #expect(conv.bias!.grad.values.allSatisfy { $0 == 0 })
    }

    @Test func gradientsAccumulateAcrossBackwardCalls() throws {
        let linear = Linear(inFeatures: 3, outFeatures: 2)
        let input = GradientCheck.random([2, 3], seed: 8), g = GradientCheck.random([2, 2], seed: 9)
        _ = try linear.forward(input)
        _ = try linear.backward(g)
        let once = linear.weight.grad.values
        _ = try linear.forward(input)
        _ = try linear.backward(g)
        #expect(zip(linear.weight.grad.values, once).allSatisfy { abs($0 - 2 * $1) < 1e-6 })
    }

    @Test func wrongShapesThrowNamedErrors() {
        #expect(throws: ShapeError.self) { try Linear(inFeatures: 4, outFeatures: 2).forward(Tensor(zeros: [2, 3])) }
        #expect(throws: ShapeError.self) { try Conv2d(inChannels: 1, outChannels: 1, kernelSize: 5).forward(Tensor(zeros: [1, 1, 3, 3])) }
        #expect(throws: ShapeError.self) { try Reshape.unflatten([3, 3]).forward(Tensor(zeros: [2, 8])) }
        #expect(throws: ShapeError.self) { try BatchNorm(dimensions: 2, features: 3).forward(Tensor(zeros: [2, 3])) }
        #expect(throws: ShapeError.self) { try Linear(inFeatures: 3, outFeatures: 2).backward(Tensor(zeros: [1, 2])) }
        let network = Sequential([Linear(inFeatures: 4, outFeatures: 3), Activation(.relu), Linear(inFeatures: 2, outFeatures: 1)])
        do {
            _ = try network.outputShape(for: [8, 4])
            Issue.record("expected a shape error")
        } catch {
            #expect(error.message.hasPrefix("layer 2 (Linear)"))
        }
    }
}
