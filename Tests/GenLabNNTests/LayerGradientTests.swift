import GenLabNN
import GenLabTestSupport
import Testing

/// Finite-difference gradient checks of every layer on small random shapes.
@Suite struct LayerGradientTests {
    /// A named layer factory and the input shape it is checked on.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let inputShape: [Int]
        let margin: Float
        let training: Bool
        let make: @Sendable () -> Layer
        var testDescription: String { name }

        init(_ name: String, _ inputShape: [Int], margin: Float = 0, training: Bool = true,
             _ make: @escaping @Sendable () -> Layer) {
            self.name = name
            self.inputShape = inputShape
            self.margin = margin
            self.training = training
            self.make = make
        }
    }

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
        let input = GradientCheck.random(c.inputShape, seed: 5, margin: c.margin)
        let failures = try GradientCheck.layer(layer, input: input)
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

/// A batch larger than one convolution workspace chunk (or, on oneDNN, cut in two parts)
/// gives the same outputs and gradients as its images one by one.
@Suite struct ChunkedConvolutionTests {
    static func compare(_ make: () -> Layer, inputShape: [Int]) throws -> [String] {
        let whole = make(), single = make()
        var generator = RandomGenerator(seed: 1)
        Initialization.pytorch.apply(to: whole, generator: &generator)
        for (a, b) in zip(whole.parameters, single.parameters) { b.parameter.value.copy(from: a.parameter.value) }
        let n = inputShape[0], item = Array(inputShape.dropFirst())
        let input = GradientCheck.random(inputShape, seed: 2)
        let output = try whole.forward(input).clone()
        let gradOutput = GradientCheck.random(output.shape, seed: 3)
        let gradInput = try whole.backward(gradOutput).clone()
        var failures: [String] = []
        let itemIn = input.count / n, itemOut = output.count / n
        for i in 0..<n {
            let x = try Tensor(shape: [1] + item, values: Array(input.values[(i * itemIn)..<((i + 1) * itemIn)]))
            let y = try single.forward(x)
            let g = try Tensor(shape: y.shape, values: Array(gradOutput.values[(i * itemOut)..<((i + 1) * itemOut)]))
            let dx = try single.backward(g)
            for j in 0..<itemOut where abs(y[j] - output[i * itemOut + j]) > 1e-4 { failures.append("output \(i),\(j)"); break }
            for j in 0..<itemIn where abs(dx[j] - gradInput[i * itemIn + j]) > 1e-4 { failures.append("grad input \(i),\(j)"); break }
        }
        // the parameter gradients sum 406 images' shares, some of which cancel: rounding is
        // measured against the tensor's largest entry, not the entry's own size
        for (a, b) in zip(whole.parameters, single.parameters) {
            let scale = b.parameter.grad.values.map(abs).max() ?? 0
            for j in 0..<a.parameter.grad.count where abs(a.parameter.grad[j] - b.parameter.grad[j]) > 1e-4 * max(1, scale) {
                failures.append("grad \(a.name)[\(j)]: \(a.parameter.grad[j]) vs \(b.parameter.grad[j])")
                break
            }
        }
        return failures
    }

    /// Conv2d(32→4) onto 14×14 and ConvTranspose2d(4→32) from 14×14: 32·4·4 taps × 14·14
    /// positions = 100,352 floats per image, so 406 images take chunks of 10 and a last of 6.
    @Test func aBatchOf406TakesChunksOf10AndALastOf6() {
        #expect(BatchChunks.ranges(batch: 406, rows: 32 * 16, plane: 14 * 14).map(\.count) == Array(repeating: 10, count: 40) + [6])
    }

    /// Those two layers on 406 images, on im2col (every pass in chunks) and with oneDNN where
    /// it runs (the passes producing 32 channels, the batch in two parts).
    @Test(arguments: [false, true], [false, true])
    func chunksAgree(transposed: Bool, direct: Bool) throws {
        let failures = try ChunkedConvolutionTests.compare({
            if transposed {
                let layer = ConvTranspose2d(inChannels: 4, outChannels: 32, kernelSize: 4, stride: 2, padding: 1)
                layer.usesDirectKernels = direct
                return layer
            }
            let layer = Conv2d(inChannels: 32, outChannels: 4, kernelSize: 4, stride: 2, padding: 1)
            layer.usesDirectKernels = direct
            return layer
        }, inputShape: transposed ? [406, 4, 14, 14] : [406, 32, 28, 28])
        #expect(failures.isEmpty, "\(failures)")
    }

    /// A layer with many taps on a small grid gets chunks of at least 1,024 columns, beyond
    /// the workspace, evened out: the lab DCGAN's 512→256 (6,400 taps × 5·5 positions) in
    /// two chunks of 32 (41 would give 1,025 columns).
    @Test func wideLayersOnSmallGridsGetWideProducts() {
        #expect(BatchChunks.ranges(batch: 64, rows: 256 * 25, plane: 5 * 5).map(\.count) == [32, 32])
        #expect(BatchChunks.ranges(batch: 100, rows: 256 * 25, plane: 5 * 5).map(\.count) == [34, 34, 32])
        #expect(BatchChunks.size(batch: 16, rows: 256 * 25, plane: 5 * 5) == 16)
        // a 1×1 grid: the whole batch at once
        #expect(BatchChunks.size(batch: 512, rows: 512 * 16, plane: 1) == 512)
        // never more than 2²⁴ floats for the minimum: 4096 → 4096 with a 64×64 kernel from
        // 1×1 (2²⁸ floats an image) one image at a time; 2²¹ floats an image, eight
        #expect(BatchChunks.size(batch: 512, rows: 4096 * 64 * 64, plane: 1) == 1)
        #expect(BatchChunks.size(batch: 512, rows: 1 << 21, plane: 1) == 8)
    }
}
