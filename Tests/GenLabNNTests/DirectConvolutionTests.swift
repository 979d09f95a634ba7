import GenLabNN
import GenLabTensor
import GenLabTestSupport
import Testing

/// oneDNN's direct kernels (Winograd's for 3×3 stride-1 layers; GenLab's own Winograd passes
/// for 5×5 ones switched off, see `WinogradConvolutionTests`) against im2col on the same
/// layer and inputs: the outputs, input gradients and accumulated parameter gradients agree
/// to rounding, with the batch in one part or two; and two parts give the same bits on one
/// thread and on two.
@Suite(.serialized) struct DirectConvolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var transposed: Bool, batch: Int, inChannels: Int, outChannels: Int, size: Int
        var kernel: Int, stride: Int, padding: Int, outputPadding = 0
        /// The parts the batch is cut into: two from 2²⁵ multiply-adds.
        var parts: Int
        /// The images a call runs on: the largest divisor of a part's images (at least 16)
        /// whose blocked copies fit in 1 MiB, where the weights are at most a quarter of them;
        /// else the whole part.
        var chunk: Int
        /// Whether oneDNN runs it with Winograd's kernels: 3×3, stride 1, 16 channels or more
        /// on each side.
        var winograd: Bool { kernel == 3 && stride == 1 && inChannels >= 16 && outChannels >= 16 }
        var testDescription: String {
            "\(transposed ? "ConvTranspose2d" : "Conv2d")(\(inChannels)→\(outChannels), k\(kernel) s\(stride) p\(padding) op\(outputPadding)) on \(batch)×\(size)²"
        }

        func layer(direct: Bool) -> Layer {
            SeededConvolution.make(transposed: transposed, inChannels: inChannels, outChannels: outChannels, kernel: kernel,
                                   stride: stride, padding: padding, outputPadding: outputPadding, direct: direct, winograd: false)
        }
    }

    static let cases = [
        Case(transposed: false, batch: 3, inChannels: 16, outChannels: 32, size: 9, kernel: 4, stride: 2, padding: 1, parts: 1, chunk: 3),
        // 16 images of 52 KB of copies fit in 1 MiB; the weights (100 KB) are a quarter of
        // their 416 KB at most
        Case(transposed: false, batch: 64, inChannels: 32, outChannels: 32, size: 12, kernel: 5, stride: 1, padding: 0,
             parts: 2, chunk: 16),
        Case(transposed: true, batch: 2, inChannels: 32, outChannels: 16, size: 4, kernel: 4, stride: 2, padding: 1, parts: 1, chunk: 2),
        Case(transposed: true, batch: 4, inChannels: 16, outChannels: 16, size: 5, kernel: 3, stride: 2, padding: 1,
             outputPadding: 1, parts: 1, chunk: 4),
        Case(transposed: true, batch: 64, inChannels: 32, outChannels: 32, size: 9, kernel: 5, stride: 1, padding: 0,
             parts: 2, chunk: 16),
        // the ARENA VAE's middle layers, at a batch of 128: 4 chunks of 16 images per part
        Case(transposed: false, batch: 128, inChannels: 16, outChannels: 32, size: 14, kernel: 4, stride: 2, padding: 1,
             parts: 2, chunk: 16),
        Case(transposed: true, batch: 128, inChannels: 32, outChannels: 16, size: 7, kernel: 4, stride: 2, padding: 1,
             parts: 2, chunk: 16),
        // fewer than 16 channels on one side: the pass producing that side stays on im2col
        Case(transposed: false, batch: 6, inChannels: 3, outChannels: 32, size: 16, kernel: 4, stride: 2, padding: 1, parts: 1, chunk: 6),
        // 202 KB of copies an image: fewer than 16 fit in 1 MiB, so a call runs on a whole part
        Case(transposed: false, batch: 400, inChannels: 32, outChannels: 4, size: 28, kernel: 4, stride: 2, padding: 1,
             parts: 2, chunk: 200),
        Case(transposed: true, batch: 6, inChannels: 32, outChannels: 1, size: 7, kernel: 4, stride: 2, padding: 1, parts: 1, chunk: 6),
        Case(transposed: true, batch: 6, inChannels: 4, outChannels: 32, size: 7, kernel: 4, stride: 2, padding: 1, parts: 1, chunk: 6),
        // 3×3 stride 1 (the ResNet experiments' layers): Winograd's kernels, with padding and
        // without, one part and two (73 KB of copies an image: fewer than 16 fit in 1 MiB)
        Case(transposed: false, batch: 8, inChannels: 16, outChannels: 32, size: 10, kernel: 3, stride: 1, padding: 1,
             parts: 1, chunk: 8),
        Case(transposed: false, batch: 64, inChannels: 32, outChannels: 32, size: 12, kernel: 3, stride: 1, padding: 1,
             parts: 2, chunk: 32),
        Case(transposed: true, batch: 64, inChannels: 32, outChannels: 32, size: 12, kernel: 3, stride: 1, padding: 1,
             parts: 2, chunk: 32),
        Case(transposed: true, batch: 4, inChannels: 32, outChannels: 16, size: 9, kernel: 3, stride: 1, padding: 0,
             parts: 1, chunk: 4),
        // 3 channels in: the direct kernels (Winograd's were 4× slower there)
        Case(transposed: false, batch: 4, inChannels: 3, outChannels: 32, size: 10, kernel: 3, stride: 1, padding: 1,
             parts: 1, chunk: 4),
    ]

    /// The output, the input gradient and every parameter's gradient of one step.
    static func step(_ c: Case, direct: Bool) throws -> (results: [[Float]], kernel: String) {
        let layer = c.layer(direct: direct)
        let input = GradientCheck.random([c.batch, c.inChannels, c.size, c.size], seed: 1)
        let output = try layer.forward(input)
        let kernel = SeededConvolution.kernel(of: layer)
        let gradOutput = GradientCheck.random(output.shape, seed: 2)
        let gradInput = try layer.backward(gradOutput, accumulateParameterGradients: true)
        return ([output.values, gradInput.values] + layer.parameters.map(\.parameter.grad.values), kernel)
    }

    @Test(arguments: cases)
    func agreesWithIm2col(_ c: Case) throws {
        let direct = try DirectConvolutionTests.step(c, direct: true)
        let columns = try DirectConvolutionTests.step(c, direct: false)
        #if arch(x86_64)
        // a forward pass producing fewer than 16 channels stays on im2col; oneDNN 2.6.3 has
        // Winograd's kernels on AVX-512 only (an AVX2 CPU runs 3×3 layers on its direct ones)
        let winograd = c.winograd && DirectConvolutionTests.hasWinograd
        #expect(direct.kernel.hasPrefix(winograd ? "jit_wino_4x3:" : "jit:") == (c.outChannels >= 16), "\(direct.kernel)")
        #endif
        #expect(columns.kernel == "im2col")
        for (name, (a, b)) in zip(["output", "grad_input", "grad weight", "grad bias"], zip(direct.results, columns.results)) {
            let scale = b.map(abs).max() ?? 0
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
            #expect(a.count == b.count && worst <= 1e-5 * scale, "\(name): differs by \(worst) at scale \(scale)")
        }
    }

    @Test(arguments: cases)
    func partsFollowTheWork(_ c: Case) {
        let out = c.transposed ? (c.size - 1) * c.stride - 2 * c.padding + c.kernel + c.outputPadding
            : (c.size + 2 * c.padding - c.kernel) / c.stride + 1
        let shape = DirectConvolution.Shape(
            transposed: c.transposed, batch: c.batch, inChannels: c.inChannels, outChannels: c.outChannels,
            height: c.size, width: c.size, outHeight: out, outWidth: out, kernel: c.kernel, stride: c.stride, padding: c.padding)
        #if arch(x86_64)
        let convolution = DirectConvolution(shape)
        #expect(convolution?.parts == c.parts)
        #expect(convolution?.chunk == c.chunk)
        #endif
    }

    /// Where the weights are large beside the images that fit (64→64 from 8×8 onto 4×4: 16
    /// images, 320 KB, against 1.6 MB of weights), or a part's images have no divisor of 16
    /// or more under the bound (203 = 7 · 29 a part; 24 images a part, of which 18 fit: 12
    /// would), a call runs on the whole part.
    @Test func chunksAreWholePartsWhereTheyWouldNotHelp() {
        func chunk(_ batch: Int, _ inChannels: Int, _ outChannels: Int, _ size: Int, _ outSize: Int, kernel: Int) -> Int? {
            DirectConvolution(DirectConvolution.Shape(
                transposed: false, batch: batch, inChannels: inChannels, outChannels: outChannels, height: size, width: size,
                outHeight: outSize, outWidth: outSize, kernel: kernel, stride: 1, padding: 0))?.chunk
        }
        #if arch(x86_64)
        #expect(chunk(64, 64, 64, 8, 4, kernel: 5) == 32)
        #expect(chunk(406, 16, 32, 14, 11, kernel: 4) == 203)
        #expect(chunk(48, 16, 32, 14, 11, kernel: 4) == 24)
        #expect(chunk(416, 16, 32, 14, 11, kernel: 4) == 16)
        #endif
    }

    /// What `genlab version` and `genlab bench` print about the convolutions.
    @Test func libraryNamesItsVersionAndKernels() {
        let library = DirectConvolution.library
        #expect(library.hasPrefix("oneDNN "), "\(library)")
        #if arch(x86_64)
        let threeByThree = DirectConvolutionTests.hasWinograd ? "jit_wino_4x3:" : "jit:"
        #expect(library.contains(", jit:") && library.contains(" kernels (3×3 stride 1: \(threeByThree)"), "\(library)")
        #endif
    }

    /// Whether oneDNN 2.6.3 has Winograd's kernels on this CPU: on AVX-512 (`avx512_core`) only.
    static let hasWinograd = BLASKernel.Features.current.isSuperset(of: .skylakeX)

    /// Which layers stay on im2col: both sides thin, a 1×1 grid (a matrix product), and wide
    /// layers (128 channels or more on both sides) on a grid no larger than the kernel, where
    /// im2col's products are faster than oneDNN's kernels.
    @Test func im2colKeepsTheLayersItRunsFaster() {
        func direct(_ transposed: Bool, _ inChannels: Int, _ outChannels: Int, _ size: Int, _ outSize: Int,
                    kernel: Int, stride: Int = 1, padding: Int = 0) -> Bool {
            DirectConvolution(DirectConvolution.Shape(
                transposed: transposed, batch: 4, inChannels: inChannels, outChannels: outChannels, height: size, width: size,
                outHeight: outSize, outWidth: outSize, kernel: kernel, stride: stride, padding: padding)) != nil
        }
        #if arch(x86_64)
        // the lab DCGAN's generator: 100→512 from 1×1, 512→256 from 5×5 (kernel 5×5)
        #expect(!direct(true, 100, 512, 1, 5, kernel: 5))
        #expect(!direct(true, 512, 256, 5, 9, kernel: 5))
        // the same from 6×6, a grid larger than the kernel
        #expect(direct(true, 512, 256, 6, 10, kernel: 5))
        // celeba-dcgan's discriminator: 256→512 onto 4×4 (kernel 4×4); onto 5×5
        #expect(!direct(false, 256, 512, 8, 4, kernel: 4, stride: 2, padding: 1))
        #expect(direct(false, 256, 512, 10, 5, kernel: 4, stride: 2, padding: 1))
        // the lab DCGAN's discriminator: 128→256 onto 3×3 (kernel 4×4)
        #expect(!direct(false, 128, 256, 7, 3, kernel: 4, stride: 2, padding: 1))
        // the CIFAR DCGAN's 128→64 from 4×4, and 256→64: not wide
        #expect(direct(true, 128, 64, 4, 8, kernel: 4, stride: 2, padding: 1))
        #expect(direct(true, 256, 64, 4, 8, kernel: 4, stride: 2, padding: 1))
        #expect(direct(false, 64, 128, 8, 4, kernel: 4, stride: 2, padding: 1))
        // both sides thin
        #expect(!direct(false, 3, 8, 16, 8, kernel: 4, stride: 2, padding: 1))
        #endif
    }

    @Test(arguments: cases.filter { $0.parts == 2 })
    func sameBitsOnOneAndTwoThreads(_ c: Case) throws {
        let one = try DirectConvolutionTests.step(c, direct: true).results
        BLAS.setThreads(2)
        defer { BLAS.setThreads(1) }
        let two = try DirectConvolutionTests.step(c, direct: true).results
        // compared first: a failing #expect would describe every value
        let same = one.map { $0.map(\.bitPattern) } == two.map { $0.map(\.bitPattern) }
        #expect(same)
    }
}
