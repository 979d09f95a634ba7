import Foundation
import GenLabNN
import GenLabTestSupport
import Testing

/// Every layer case of the PyTorch reference: output, input gradient, parameter gradients
/// and BatchNorm state, with 1e-5 absolute + 1e-4 relative tolerance.
@Suite struct GoldenLayerTests {
    static let layerCases = Golden.cases.filter { $0.gradOutput != nil && $0.params != nil }.map(\.name)

    @Test func fixtureHasAllCases() {
        #expect(Golden.cases.count == 34)
        #expect(Golden.convolutionCases.count == 11)
        #expect(GoldenLayerTests.layerCases.count == 21)
    }

    /// An integer argument of a PyTorch module description, e.g. `stride=(2, 2)` → 2
    /// (`padding` is not the end of `output_padding`).
    static func argument(_ name: String, in module: String) -> Int? {
        guard let range = module.range(of: " \(name)=(") else { return nil }
        let digits = module[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// The layer a reference case describes, with its parameters loaded.
    static func makeLayer(_ c: GoldenCase) throws -> Layer {
        let params = c.params ?? [:]
        let hasBias = params["bias"] != nil
        let layer: Layer
        switch c.module {
        case let m where m.hasPrefix("Linear"):
            let w = try #require(params["weight"])
            layer = Linear(inFeatures: w.shape[1], outFeatures: w.shape[0], bias: hasBias)
        case let m where m.hasPrefix("Conv2d"):
            let w = try #require(params["weight"])
            layer = Conv2d(inChannels: w.shape[1], outChannels: w.shape[0], kernelSize: w.shape[2],
                           stride: argument("stride", in: m) ?? 1, padding: argument("padding", in: m) ?? 0,
                           bias: hasBias)
        case let m where m.hasPrefix("ConvTranspose2d"):
            let w = try #require(params["weight"])
            layer = ConvTranspose2d(inChannels: w.shape[0], outChannels: w.shape[1], kernelSize: w.shape[2],
                                    stride: argument("stride", in: m) ?? 1, padding: argument("padding", in: m) ?? 0,
                                    outputPadding: argument("output_padding", in: m) ?? 0, bias: hasBias)
        case let m where m.hasPrefix("BatchNorm"):
            let w = try #require(params["weight"])
            layer = BatchNorm(dimensions: m.hasPrefix("BatchNorm1d") ? 1 : 2, features: w.shape[0])
        case "ReLU()": layer = Activation(.relu)
        case let m where m.hasPrefix("LeakyReLU"):
            let slope = Float(m.split(separator: "=").last!.dropLast())!
            layer = Activation(.leakyReLU(slope: slope))
        case "Sigmoid()": layer = Activation(.sigmoid)
        case "Tanh()": layer = Activation(.tanh)
        case "AdaptiveAvgPool2d(1) then Flatten": layer = Sequential([AdaptiveAvgPool2d(), Reshape.flatten()])
        default:
            Issue.record("no layer for \(c.module)")
            throw ShapeError("unknown module")
        }
        layer.isTraining = c.train ?? true
        let slots = layer.parameters.map { ($0.name, $0.parameter.value) } + layer.buffers.map { ($0.name, $0.tensor) }
        for (name, tensor) in slots {
            let value = try #require(params[name], "reference has no \(name)")
            #expect(Golden.load(value, into: tensor), "\(name) shape")
        }
        for (name, counter) in layer.counters {
            counter.value = Int(try #require(params[name], "reference has no \(name)").scalar)
        }
        return layer
    }

    /// The layer's output, input gradient, parameter gradients and state after the pass
    /// (parameters, buffers, counters) against the case.
    static func check(_ layer: Layer, against c: GoldenCase) throws {
        let output = try layer.forward(try #require(c.input).tensor)
        #expect(Golden.mismatches(output.values, try #require(c.output), shape: output.shape) == [], "output")
        let gradInput = try layer.backward(try #require(c.gradOutput).tensor)
        #expect(Golden.mismatches(gradInput.values, try #require(c.gradInput), shape: gradInput.shape) == [], "grad_input")
        for (key, expected) in c.gradParams ?? [:] {
            let p = try #require(layer.parameters.first { $0.name == key }, "parameter \(key)")
            #expect(Golden.mismatches(p.parameter.grad.values, expected, shape: p.parameter.grad.shape) == [], "grad \(key)")
        }
        for (key, expected) in c.stateAfter ?? [:] {
            if let counter = layer.counters.first(where: { $0.name == key })?.counter {
                #expect(counter.value == Int(expected.scalar), "state \(key)")
                continue
            }
            let slots = layer.parameters.map { ($0.name, $0.parameter.value) } + layer.buffers.map { ($0.name, $0.tensor) }
            let t = try #require(slots.first { $0.0 == key }?.1, "state \(key)")
            #expect(Golden.mismatches(t.values, expected, shape: t.shape) == [], "state \(key)")
        }
    }

    @Test(arguments: layerCases)
    func layerMatchesPyTorch(_ name: String) throws {
        let c = try #require(Golden.named(name))
        try GoldenLayerTests.check(try GoldenLayerTests.makeLayer(c), against: c)
    }

    /// The cases wide enough for oneDNN's direct kernels, which run every one of them on an
    /// x86-64 CPU (also the transposed convolution whose output padding exceeds its padding),
    /// but for the 3×3 and 5×5 stride-1 ones whose forward pass Winograd's algorithm runs where layers
    /// use it (`WinogradConvolution.isPreferred`; their input gradients too, and the 32 → 16
    /// transposed one's), each also checked with it where the CPU runs it.
    @Test(arguments: Golden.convolutionCases.map(\.name))
    func directConvolutionMatchesPyTorch(_ name: String) throws {
        let c = try #require(Golden.named(name))
        try layerMatchesPyTorch(name)
        let layer = try GoldenLayerTests.makeLayer(c)
        _ = try layer.forward(try #require(c.input).tensor)
        let kernel = SeededConvolution.kernel(of: layer)
        #if arch(x86_64)
        let winograd = GoldenLayerTests.winogradCases.contains(name) && WinogradConvolution.isPreferred
        #expect(kernel.hasPrefix(winograd ? "winograd" : "jit"), "\(kernel)")
        #endif
        // Winograd's passes against PyTorch on every CPU that runs them, also where layers do
        // not by default
        if GoldenLayerTests.winogradCases.contains(name), WinogradConvolution.isAvailable {
            let layer = try GoldenLayerTests.makeLayer(c)
            (layer as? Conv2d)?.usesWinograd = true
            (layer as? ConvTranspose2d)?.usesWinograd = true
            try GoldenLayerTests.check(layer, against: c)
            #expect(SeededConvolution.kernel(of: layer) == "winograd")
        }
    }

    static let winogradCases: Set = ["conv2d_32_16_k5s1", "conv2d_16_17_k5s1p2_uneven", "conv2d_16_18_k5s1p4_nobias",
                                     "conv_transpose2d_16_17_k5s1p1_uneven", "conv2d_16_32_k3s1p1",
                                     "conv_transpose2d_16_17_k3s1p1_uneven_nobias"]

    @Test func spectralNormMatchesPyTorch() throws {
        let c = try #require(Golden.named("spectral_norm_conv2d"))
        let w = try #require(c.weightOrig)
        let conv = Conv2d(inChannels: w.shape[1], outChannels: w.shape[0], kernelSize: w.shape[2])
        var generator = RandomGenerator(seed: 0)
        let layer = SpectralNorm(conv, generator: &generator)
        #expect(Golden.load(w, into: layer.weightOrig.value))
        #expect(Golden.load(try #require(c.bias), into: try #require(conv.bias).value))
        #expect(Golden.load(try #require(c.uBefore), into: layer.u))
        #expect(Golden.load(try #require(c.vBefore), into: layer.v))
        #expect(layer.parameters.map(\.name) == ["bias", "weight_orig"])
        #expect(layer.buffers.map(\.name) == ["weight_u", "weight_v"])

        let output = try layer.forward(try #require(c.input).tensor)
        #expect(Golden.mismatches(output.values, try #require(c.output), shape: output.shape) == [], "output")
        #expect(Golden.mismatches(layer.u.values, try #require(c.uAfter)) == [], "u after")
        #expect(Golden.mismatches(conv.weight.value.values, try #require(c.sigmaWeight)) == [], "W / σ")
        let gradInput = try layer.backward(try #require(c.gradOutput).tensor)
        #expect(Golden.mismatches(gradInput.values, try #require(c.gradInput), shape: gradInput.shape) == [], "grad_input")
        #expect(Golden.mismatches(layer.weightOrig.grad.values, try #require(c.gradWeightOrig)) == [], "grad weight_orig")
    }

    /// BatchNorm2d's forward and backward with the channels shared by two threads give the
    /// bits of one thread: outputs, input and parameter gradients, running statistics.
    @Test func batchNormGivesTheSameBitsOnTwoThreads() throws {
        func run(threads: Int) throws -> [[UInt32]] {
            BLAS.setThreads(threads)
            defer { BLAS.setThreads(1) }
            var generator = RandomGenerator(seed: 5)
            let layer = BatchNorm(dimensions: 2, features: 16)
            generator.fillNormal(layer.weight.value.buffer)
            let input = Tensor(zeros: [32, 16, 32, 32]), gradient = Tensor(zeros: [32, 16, 32, 32])
            generator.fillNormal(input.buffer, mean: 0.5, std: 2)
            generator.fillNormal(gradient.buffer)
            let output = try layer.forward(input).values
            let gradInput = try layer.backward(gradient, accumulateParameterGradients: true).values
            return [output, gradInput, layer.weight.grad.values, layer.bias.grad.values, layer.runningMean.values, layer.runningVar.values]
                .map { $0.map(\.bitPattern) }
        }
        let same = try run(threads: 1) == run(threads: 2)
        #expect(same)
    }
}
