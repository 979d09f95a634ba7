import GenLabNN
import GenLabTensor
import GenLabTestSupport
import Testing

/// Winograd's F(2×2, 5×5) and F(4×4, 3×3) (`WinogradConvolution`) against im2col on the same layers and
/// inputs: the outputs and input gradients agree to 2·10⁻⁵ of their scale (its rounding error
/// is about ten times a direct kernel's: up to 8·10⁻⁶ of the scale measured here, on the
/// 512-channel input gradient; oneDNN's weight gradient over 13 images of 100 × 100 differs
/// from im2col's by 1.2·10⁻⁵), where a wrong tap, flip or tile is off by the scale itself;
/// the same bits on one thread and two; which passes it runs. On every CPU with AVX2 and FMA,
/// also those where layers do not run it by default (`WinogradConvolution.isPreferred`).
@Suite(.serialized) struct WinogradConvolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var transposed: Bool, batch: Int, inChannels: Int, outChannels: Int, height: Int, width: Int, kernel = 5, padding: Int
        /// Whether the forward pass and the input gradient run by Winograd's algorithm.
        var forward: Bool, data: Bool
        var testDescription: String {
            "\(transposed ? "ConvTranspose2d" : "Conv2d")(\(inChannels)→\(outChannels), k\(kernel) p\(padding)) on \(batch)×\(height)×\(width)"
        }

        func layer(winograd: Bool) -> Layer {
            SeededConvolution.make(transposed: transposed, inChannels: inChannels, outChannels: outChannels, kernel: kernel,
                                   padding: padding, direct: winograd, winograd: winograd)
        }
    }

    static let cases = [
        // uneven sizes (a last row and column of half tiles), channels off the blocks (6 tiles,
        // 16 outputs), paddings 0, 2 and 4; the first one's input gradient (onto 11×9 from 7×5)
        // would take more tiles than it saves
        Case(transposed: false, batch: 3, inChannels: 17, outChannels: 23, height: 11, width: 9, padding: 0, forward: true, data: false),
        Case(transposed: false, batch: 2, inChannels: 16, outChannels: 16, height: 12, width: 12, padding: 2, forward: true, data: true),
        Case(transposed: false, batch: 2, inChannels: 32, outChannels: 20, height: 6, width: 7, padding: 4, forward: true, data: true),
        // 13 images of 104 × 104 × 16 padded floats: two chunks of 8 MiB, each of several
        // groups of tiles, the last one partial
        Case(transposed: false, batch: 13, inChannels: 16, outChannels: 16, height: 100, width: 100, padding: 2, forward: true,
             data: true),
        // the lab DCGAN's 128 → 64 from 21×21, at a smaller batch
        Case(transposed: true, batch: 3, inChannels: 128, outChannels: 64, height: 21, width: 21, padding: 0, forward: true,
             data: true),
        Case(transposed: true, batch: 3, inChannels: 40, outChannels: 24, height: 10, width: 8, padding: 1, forward: true, data: true),
        // its 512 → 256 from 5×5: a transposed forward pass multiplies the input's pixels only,
        // fewer than Winograd's tiles would; the input gradient (onto 5×5) runs by it
        Case(transposed: true, batch: 2, inChannels: 512, outChannels: 256, height: 5, width: 5, padding: 0, forward: false,
             data: true),
        // F(4×4, 3×3): uneven sizes (partial tiles of 1 – 3 pixels), paddings 0, 1, 2, the
        // ResNet experiments' 64 → 64 on 16×16, channels off the blocks
        Case(transposed: false, batch: 3, inChannels: 17, outChannels: 23, height: 11, width: 9, kernel: 3, padding: 0,
             forward: true, data: true),
        Case(transposed: false, batch: 2, inChannels: 64, outChannels: 64, height: 16, width: 16, kernel: 3, padding: 1,
             forward: true, data: true),
        Case(transposed: false, batch: 2, inChannels: 24, outChannels: 16, height: 7, width: 10, kernel: 3, padding: 2,
             forward: true, data: true),
        Case(transposed: true, batch: 2, inChannels: 32, outChannels: 20, height: 9, width: 6, kernel: 3, padding: 1,
             forward: true, data: true),
        // a 3×3 transposed forward pass from 4×4 multiplies the input's pixels only: 36 · 4
        // tiles against 9 · 16, no saving; its input gradient (onto 4×4 from 6×6) runs by it
        Case(transposed: true, batch: 2, inChannels: 64, outChannels: 32, height: 4, width: 4, kernel: 3, padding: 0,
             forward: false, data: true),
    ]

    /// The output, the input gradient, every parameter's gradient of one step, and the kernel
    /// of the forward pass.
    static func step(_ c: Case, winograd: Bool) throws -> (results: [[Float]], kernel: String) {
        let layer = c.layer(winograd: winograd)
        let input = GradientCheck.random([c.batch, c.inChannels, c.height, c.width], seed: 1)
        let output = try layer.forward(input)
        let kernel = SeededConvolution.kernel(of: layer)
        let gradOutput = GradientCheck.random(output.shape, seed: 2)
        let gradInput = try layer.backward(gradOutput, accumulateParameterGradients: true)
        return ([output.values, gradInput.values] + layer.parameters.map(\.parameter.grad.values), kernel)
    }

    @Test(arguments: cases)
    func agreesWithIm2col(_ c: Case) throws {
        try #require(WinogradConvolution.isAvailable, "this CPU has no AVX2 and FMA")
        let winograd = try WinogradConvolutionTests.step(c, winograd: true)
        let columns = try WinogradConvolutionTests.step(c, winograd: false)
        #expect((winograd.kernel == "winograd") == c.forward, "\(winograd.kernel)")
        #expect(columns.kernel == "im2col")
        for (name, (a, b)) in zip(["output", "grad_input", "grad weight", "grad bias"], zip(winograd.results, columns.results)) {
            let scale = b.map(abs).max() ?? 0
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
            #expect(a.count == b.count && worst <= 2e-5 * scale, "\(name): differs by \(worst) at scale \(scale)")
        }
    }

    /// The passes the layers run by it: the input gradient where the forward pass does not
    /// (`Case.data`) is checked through `runs`, since no kernel name records it.
    @Test(arguments: cases)
    func runsThePassesItSavesOn(_ c: Case) {
        let k = c.kernel, grow = c.kernel - 1
        let outHeight = c.transposed ? c.height + grow - 2 * c.padding : c.height + 2 * c.padding - grow
        let outWidth = c.transposed ? c.width + grow - 2 * c.padding : c.width + 2 * c.padding - grow
        let forward = WinogradConvolution.Pass(
            inChannels: c.inChannels, height: c.height, width: c.width, padding: c.transposed ? grow - c.padding : c.padding,
            outChannels: c.outChannels, kernel: k, transposedWeight: c.transposed, flipped: c.transposed,
            directMultiplies: k * k * (c.transposed ? c.height * c.width : outHeight * outWidth))
        let data = WinogradConvolution.Pass(
            inChannels: c.outChannels, height: outHeight, width: outWidth, padding: c.transposed ? c.padding : grow - c.padding,
            outChannels: c.inChannels, kernel: k, transposedWeight: !c.transposed, flipped: !c.transposed,
            directMultiplies: k * k * (c.transposed ? c.height * c.width : outHeight * outWidth))
        let available = WinogradConvolution.isAvailable
        #expect(WinogradConvolution.runs(forward, stride: 1, precision: .fp32) == (c.forward && available))
        #expect(WinogradConvolution.runs(data, stride: 1, precision: .fp32) == (c.data && available))
        // never another kernel, stride or precision
        for other in [1, 2, 4, 7] {
            var pass = forward
            pass.kernel = other
            #expect(!WinogradConvolution.runs(pass, stride: 1, precision: .fp32))
        }
        #expect(!WinogradConvolution.runs(forward, stride: 2, precision: .fp32))
        #expect(!WinogradConvolution.runs(forward, stride: 1, precision: .bf16))
    }

    /// Fewer than 16 channels on a side, a padding beyond kernel − 1 (a transposed convolution
    /// padded by more crops its correlation), transformed weights or a padded image beyond 64
    /// MiB stay on the other kernels.
    @Test func thinWideAndHugeLayersStayOnTheOtherKernels() {
        func pass(_ inChannels: Int, _ outChannels: Int, padding: Int, size: Int = 20, kernel: Int = 5) -> WinogradConvolution.Pass {
            WinogradConvolution.Pass(inChannels: inChannels, height: size, width: size, padding: padding, outChannels: outChannels,
                                     kernel: kernel, transposedWeight: false, flipped: false,
                                     directMultiplies: kernel * kernel * size * size)
        }
        let available = WinogradConvolution.isAvailable
        #expect(WinogradConvolution.runs(pass(16, 16, padding: 2), stride: 1, precision: .fp32) == available)
        // 36 · 512 · 512 floats of transformed weights: 36 MiB; 36 · 1024 · 512: 72 MiB
        #expect(WinogradConvolution.runs(pass(512, 512, padding: 2), stride: 1, precision: .fp32) == available)
        #expect(!WinogradConvolution.runs(pass(1024, 512, padding: 2), stride: 1, precision: .fp32))
        // 1,004² · 16 floats padded: 61.5 MiB; 1,104² · 16: 74.4 MiB
        #expect(WinogradConvolution.runs(pass(16, 16, padding: 2, size: 1000), stride: 1, precision: .fp32) == available)
        #expect(!WinogradConvolution.runs(pass(16, 16, padding: 2, size: 1100), stride: 1, precision: .fp32))
        #expect(!WinogradConvolution.runs(pass(15, 16, padding: 2), stride: 1, precision: .fp32))
        #expect(!WinogradConvolution.runs(pass(16, 1, padding: 2), stride: 1, precision: .fp32))
        #expect(!WinogradConvolution.runs(pass(16, 16, padding: 5), stride: 1, precision: .fp32))
        #expect(!WinogradConvolution.runs(pass(16, 16, padding: -1), stride: 1, precision: .fp32))
        #expect(WinogradConvolution.runs(pass(16, 16, padding: 2, kernel: 3), stride: 1, precision: .fp32) == available)
        #expect(!WinogradConvolution.runs(pass(16, 16, padding: 3, kernel: 3), stride: 1, precision: .fp32))
        // 1,002² · 16 floats padded (250 tiles of 4 and a border of 2): 61.3 MiB; 1,102² · 16: 74.1 MiB
        #expect(WinogradConvolution.runs(pass(16, 16, padding: 1, size: 998, kernel: 3), stride: 1, precision: .fp32) == available)
        #expect(!WinogradConvolution.runs(pass(16, 16, padding: 1, size: 1100, kernel: 3), stride: 1, precision: .fp32))
        let bf16 = Conv2d(inChannels: 16, outChannels: 16, kernelSize: 5, padding: 2)
        bf16.precision = .bf16
        if Precision.hasNativeBF16 {
            _ = try? bf16.forward(GradientCheck.random([1, 16, 20, 20], seed: 3))
            #expect(bf16.kernel != "winograd")
        }
    }

    /// Evaluation passes (samples, latents, analyses: what the Python reader recomputes) run
    /// on the direct kernels, and give the bits of a layer that never runs Winograd.
    @Test(arguments: [cases[1], cases[5], cases[8]])
    func evaluationPassesRunDirect(_ c: Case) throws {
        try #require(WinogradConvolution.isAvailable, "this CPU has no AVX2 and FMA")
        let input = GradientCheck.random([c.batch, c.inChannels, c.height, c.width], seed: 1)
        var outputs: [[Float]] = []
        for winograd in [true, false] {
            let layer = SeededConvolution.make(transposed: c.transposed, inChannels: c.inChannels, outChannels: c.outChannels,
                                               kernel: c.kernel, padding: c.padding, direct: true, winograd: winograd)
            layer.isTraining = false
            outputs.append(try layer.forward(input).values)
            let kernel = SeededConvolution.kernel(of: layer)
            #expect(kernel != "winograd")
            layer.isTraining = true
            let training = try layer.forward(input).values
            #expect((SeededConvolution.kernel(of: layer) == "winograd") == winograd)
            if winograd { #expect(training != outputs[0], "a Winograd pass rounds otherwise than a direct one") }
        }
        #expect(outputs[0].map(\.bitPattern) == outputs[1].map(\.bitPattern))
    }

    @Test(arguments: [cases[3], cases[4]])
    func sameBitsOnOneAndTwoThreads(_ c: Case) throws {
        try #require(WinogradConvolution.isAvailable, "this CPU has no AVX2 and FMA")
        let one = try WinogradConvolutionTests.step(c, winograd: true).results
        BLAS.setThreads(2)
        defer { BLAS.setThreads(1) }
        let two = try WinogradConvolutionTests.step(c, winograd: true).results
        // compared first: a failing #expect would describe every value
        let same = one.map { $0.map(\.bitPattern) } == two.map { $0.map(\.bitPattern) }
        #expect(same)
    }
}
