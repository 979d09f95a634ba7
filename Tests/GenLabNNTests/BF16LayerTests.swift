import GenLabNN
import GenLabTensor
import GenLabTestSupport
import Testing

/// A layer in bf16 computes the products of its operands rounded to bfloat16, summed in
/// float, in every pass and on every path (oneDNN's AMX kernels, its float kernels on rounded
/// operands for thin layers, im2col with AMX or rounded OpenBLAS products).
///
/// Each pass is checked against the same layer in fp32 given the operands rounded
/// beforehand: a product of two bfloat16 values (8-bit significands) is exact in float, so
/// the two differ only in the order the products are summed, by at most a few float
/// roundings of the running sum: here at most 2⁻¹⁸·Σ|a·b| per value, Σ|a·b| computed by the
/// same fp32 layer on the operands' magnitudes. An operand left unrounded moves a value by
/// about 2⁻⁹·Σ|a·b|/√k (k products), far outside for these layers (k ≤ 12,800).
@Suite(.serialized) struct BF16LayerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var inputShape: [Int]
        var make: @Sendable () -> Layer
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // AMX products (batch 512 of the ARENA VAE) and a small one
        Case(name: "Linear 1568→100, batch 512", inputShape: [512, 1568]) { Linear(inFeatures: 1568, outFeatures: 100) },
        Case(name: "Linear 100→10, batch 64, no bias", inputShape: [64, 100]) { Linear(inFeatures: 100, outFeatures: 10, bias: false) },
        // oneDNN's bf16 kernels (the lab DCGAN's middle layers)
        Case(name: "Conv2d 64→128 k4 s2 p1 on 14²", inputShape: [32, 64, 14, 14]) {
            Conv2d(inChannels: 64, outChannels: 128, kernelSize: 4, stride: 2, padding: 1, bias: false)
        },
        Case(name: "ConvTranspose2d 256→128 k5 s2 from 9²", inputShape: [8, 256, 9, 9]) {
            ConvTranspose2d(inChannels: 256, outChannels: 128, kernelSize: 5, stride: 2)
        },
        // thin layers: oneDNN's float kernels on rounded operands, im2col for the thin pass
        Case(name: "Conv2d 1→16 k4 s2 p1 on 28²", inputShape: [32, 1, 28, 28]) {
            Conv2d(inChannels: 1, outChannels: 16, kernelSize: 4, stride: 2, padding: 1)
        },
        Case(name: "ConvTranspose2d 16→1 k4 s2 p1 from 14²", inputShape: [32, 16, 14, 14]) {
            ConvTranspose2d(inChannels: 16, outChannels: 1, kernelSize: 4, stride: 2, padding: 1)
        },
        // im2col with bf16 products: a wide layer onto a small grid, and a 1×1 input
        Case(name: "Conv2d 128→256 k4 s2 p1 on 7²", inputShape: [16, 128, 7, 7]) {
            Conv2d(inChannels: 128, outChannels: 256, kernelSize: 4, stride: 2, padding: 1, bias: false)
        },
        Case(name: "ConvTranspose2d 100→512 k5 from 1²", inputShape: [64, 100, 1, 1]) {
            ConvTranspose2d(inChannels: 100, outChannels: 512, kernelSize: 5, bias: false)
        },
    ]

    /// The output, input gradient and parameter gradients of one forward and backward pass.
    struct Pass {
        var output: [Float], gradInput: [Float], gradParameters: [[Float]]
    }

    static func run(_ layer: Layer, parameters: [Tensor], input: Tensor, gradOutput: Tensor) throws -> Pass {
        for (p, value) in zip(layer.parameters, parameters) {
            p.parameter.value.copy(from: value)
            p.parameter.zeroGrad()
        }
        let output = try layer.forward(input).values
        let gradInput = try layer.backward(gradOutput).values
        return Pass(output: output, gradInput: gradInput, gradParameters: layer.parameters.map(\.parameter.grad.values))
    }

    static func mapped(_ t: Tensor, _ f: (Float) -> Float) -> Tensor {
        let out = Tensor(zeros: t.shape)
        for i in 0..<t.count { out[i] = f(t[i]) }
        return out
    }

    @Test(arguments: cases) func productsOfRoundedOperands(_ c: Case) throws {
        let probe = c.make()
        let input = GradientCheck.random(c.inputShape, seed: 1)
        let parameters = probe.parameters.enumerated().map { GradientCheck.random($1.parameter.value.shape, seed: UInt64(10 + $0)) }
        let outputShape = try probe.outputShape(for: c.inputShape)
        let gradOutput = GradientCheck.random(outputShape, seed: 2)

        let bf16 = c.make()
        bf16.use(.bf16)
        let ours = try BF16LayerTests.run(bf16, parameters: parameters, input: input, gradOutput: gradOutput)

        // biases are added in float, not multiplied: left as they are
        let isBias = probe.parameters.map { $0.name == "bias" }
        let round = { (t: Tensor) in BF16LayerTests.mapped(t, Precision.roundedToBF16) }
        let exact = try BF16LayerTests.run(c.make(), parameters: zip(parameters, isBias).map { $1 ? $0 : round($0) },
                                           input: round(input), gradOutput: round(gradOutput))
        // Σ|a·b|: the magnitudes of the rounded operands, biases zero
        let magnitude = { (t: Tensor) in BF16LayerTests.mapped(round(t)) { abs($0) } }
        let sums = try BF16LayerTests.run(c.make(), parameters: zip(parameters, isBias).map { $1 ? Tensor(zeros: $0.shape) : magnitude($0) },
                                          input: magnitude(input), gradOutput: magnitude(gradOutput))

        func check(_ ours: [Float], _ exact: [Float], _ sums: [Float], _ what: String) {
            #expect(ours.count == exact.count)
            var worst = (excess: 0.0, index: -1)
            for i in 0..<min(ours.count, exact.count) {
                let excess = abs(Double(ours[i]) - Double(exact[i])) / (Double(sums[i]) * 0x1p-18 + 1e-30)
                if excess > worst.excess { worst = (excess, i) }
            }
            #expect(worst.excess <= 1, "\(what): value \(worst.index) is \(ours[max(worst.index, 0)]), the rounded operands' products sum to \(exact[max(worst.index, 0)]) (\(worst.excess)× the tolerance)")
        }
        check(ours.output, exact.output, sums.output, "output")
        check(ours.gradInput, exact.gradInput, sums.gradInput, "input gradient")
        for (i, p) in probe.parameters.enumerated() where p.name != "bias" {
            check(ours.gradParameters[i], exact.gradParameters[i], sums.gradParameters[i], "\(p.name) gradient")
        }
        // a bias gradient is a sum of output gradients, in float either way
        for (i, p) in probe.parameters.enumerated() where p.name == "bias" {
            let plain = try BF16LayerTests.run(c.make(), parameters: parameters, input: input, gradOutput: gradOutput)
            #expect(ours.gradParameters[i] == plain.gradParameters[i], "bias gradient")
        }
    }

    /// The same bits on one thread and on two: the batch's parts and the products' blocks
    /// are cut by the shapes alone (`DirectConvolution`, `BLAS.gemmBlocks`).
    @Test(arguments: cases) func sameBitsOnOneThreadAndTwo(_ c: Case) throws {
        let probe = c.make()
        let input = GradientCheck.random(c.inputShape, seed: 3)
        let parameters = probe.parameters.enumerated().map { GradientCheck.random($1.parameter.value.shape, seed: UInt64(30 + $0)) }
        let gradOutput = GradientCheck.random(try probe.outputShape(for: c.inputShape), seed: 4)
        defer { BLAS.setThreads(1) }
        var passes: [Pass] = []
        for threads in [1, 2] {
            BLAS.setThreads(threads)
            let layer = c.make()
            layer.use(.bf16)
            passes.append(try BF16LayerTests.run(layer, parameters: parameters, input: input, gradOutput: gradOutput))
        }
        #expect(passes[0].output == passes[1].output && passes[0].gradInput == passes[1].gradInput)
        #expect(passes[0].gradParameters == passes[1].gradParameters)
    }

    /// Rounding to nearest even, as PyTorch's and oneDNN's conversions round.
    @Test func roundsToNearestEven() {
        #expect(Precision.roundedToBF16(1 + 0x1p-8) == 1)              // a tie: to the even 1
        #expect(Precision.roundedToBF16(1 + 3 * 0x1p-8) == 1 + 0x1p-6)  // a tie: to the even 1 + 2⁻⁶
        #expect(Precision.roundedToBF16(1 + 0x1p-8 + 0x1p-20) == 1 + 0x1p-7)
        #expect(Precision.roundedToBF16(-3.1415927) == -3.140625)
        #expect(Precision.roundedToBF16(.infinity) == .infinity)
        #expect(Precision.roundedToBF16(.nan).isNaN)
        #expect(Precision.roundedToBF16(Float.greatestFiniteMagnitude) == .infinity)
    }
}
