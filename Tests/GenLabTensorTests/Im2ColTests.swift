import CKernels
import GenLabTensor
import Testing

/// im2col against a direct loop, and col2im as its exact adjoint.
@Suite struct Im2ColTests {
    static let geometries: [ConvGeometry] = [
        ConvGeometry(channels: 2, height: 8, width: 8, kernel: 4, stride: 2, padding: 1),
        ConvGeometry(channels: 3, height: 9, width: 7, kernel: 5, stride: 1, padding: 0),
        ConvGeometry(channels: 2, height: 5, width: 6, kernel: 3, stride: 1, padding: 1),
        ConvGeometry(channels: 1, height: 7, width: 7, kernel: 4, stride: 2, padding: 1),
        ConvGeometry(channels: 2, height: 11, width: 11, kernel: 5, stride: 2, padding: 2),
        ConvGeometry(channels: 1, height: 2, width: 3, kernel: 3, stride: 3, padding: 1),
        // rows wider than two AVX-512 registers, and stride-2 rows of more than 16 outputs
        ConvGeometry(channels: 2, height: 6, width: 40, kernel: 3, stride: 1, padding: 1),
        ConvGeometry(channels: 1, height: 5, width: 36, kernel: 4, stride: 2, padding: 1),
        ConvGeometry(channels: 2, height: 9, width: 30, kernel: 5, stride: 2, padding: 1),
    ]

    /// Both kernel paths: the widest the CPU has (AVX-512, else AVX2) and the portable one.
    static let paths: [Bool] = [true, false]

    /// Every entry of the column matrix in tap order (channel, i, j, then image and output
    /// position), with the index of the pixel it reads, nil in the padding.
    static func forEachTap(_ g: ConvGeometry, batch: Int, _ body: (_ column: Int, _ pixel: Int?) -> Void) {
        for c in 0..<g.channels {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let row = (c * g.kernelHeight + i) * g.kernelWidth + j
                    for n in 0..<batch {
                        for y in 0..<g.outputHeight {
                            for x in 0..<g.outputWidth {
                                let iy = y * g.stride - g.padding + i, ix = x * g.stride - g.padding + j
                                let inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width
                                body(row * batch * g.outputPlane + n * g.outputPlane + y * g.outputWidth + x,
                                     inside ? ((n * g.channels + c) * g.height + iy) * g.width + ix : nil)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Runs `body` with the vector paths (AVX-512, AVX2) allowed or not.
    static func on(vectors: Bool, _ body: () -> Void) {
        let before = genlab_im2col_allow_vectors(vectors ? 1 : 0)
        defer { _ = genlab_im2col_allow_vectors(before) }
        body()
    }

    static func random(_ count: Int, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        let t = Tensor(zeros: [count])
        generator.fillUniform(t.buffer, low: -1, high: 1)
        return t
    }

    @Test(arguments: geometries, paths)
    func unfoldMatchesDirectIndexing(_ g: ConvGeometry, vectors: Bool) {
        let batch = 2
        let images = Im2ColTests.random(batch * g.channels * g.height * g.width, seed: 1)
        let columns = Tensor(repeating: .nan, shape: [g.patchSize * batch * g.outputPlane])
        Im2ColTests.on(vectors: vectors) { Im2Col.unfold(images.data, batch: batch, geometry: g, into: columns.data) }
        var mismatches = 0
        Im2ColTests.forEachTap(g, batch: batch) { column, pixel in
            if columns[column] != (pixel.map { images[$0] } ?? 0) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    /// fold against a direct loop that adds each pixel's terms in tap order, bit for bit.
    @Test(arguments: geometries, paths)
    func foldMatchesDirectSumsExactly(_ g: ConvGeometry, vectors: Bool) {
        let batch = 2
        let imageCount = batch * g.channels * g.height * g.width
        let columns = Im2ColTests.random(g.patchSize * batch * g.outputPlane, seed: 5)
        var expected = [Float](repeating: 0, count: imageCount)
        Im2ColTests.forEachTap(g, batch: batch) { column, pixel in
            if let pixel { expected[pixel] += columns[column] }
        }
        let folded = Tensor(repeating: .nan, shape: [imageCount])
        Im2ColTests.on(vectors: vectors) { Im2Col.fold(columns.data, batch: batch, geometry: g, into: folded.data) }
        let mismatches = (0..<imageCount).filter { folded[$0] != expected[$0] }.count
        #expect(mismatches == 0, "\(mismatches) of \(imageCount) pixels differ")
    }

    /// ⟨unfold(x), c⟩ = ⟨x, fold(c)⟩ for random x and c.
    @Test(arguments: geometries)
    func foldIsTheAdjointOfUnfold(_ g: ConvGeometry) {
        let batch = 3
        let imageCount = batch * g.channels * g.height * g.width
        let columnCount = g.patchSize * batch * g.outputPlane
        let x = Im2ColTests.random(imageCount, seed: 2), c = Im2ColTests.random(columnCount, seed: 3)
        let unfolded = Tensor(zeros: [columnCount]), folded = Tensor(zeros: [imageCount])
        Im2Col.unfold(x.data, batch: batch, geometry: g, into: unfolded.data)
        Im2Col.fold(c.data, batch: batch, geometry: g, into: folded.data)
        var left = 0.0, right = 0.0
        for i in 0..<columnCount { left += Double(unfolded[i]) * Double(c[i]) }
        for i in 0..<imageCount { right += Double(x[i]) * Double(folded[i]) }
        #expect(abs(left - right) <= 1e-9 * max(1, abs(left)) + 1e-5)
    }

    @Test func geometryFollowsPyTorchOutputFormula() {
        let g = ConvGeometry(channels: 1, height: 28, width: 28, kernel: 4, stride: 2, padding: 1)
        #expect(g.outputHeight == 14 && g.outputWidth == 14 && g.patchSize == 16)
        #expect(ConvGeometry(channels: 1, height: 7, width: 7, kernel: 4, stride: 2, padding: 1).outputHeight == 3)
        #expect(!ConvGeometry(channels: 1, height: 3, width: 3, kernel: 5, stride: 1, padding: 0).isValid)
        #expect(!ConvGeometry(channels: 1, height: 8, width: 8, kernel: 3, stride: 0, padding: 0).isValid)
    }

    @Test func channelLayoutRoundTrips() {
        let (n, c, p) = (3, 4, 5)
        let images = Im2ColTests.random(n * c * p, seed: 4)
        let major = Tensor(zeros: [c, n * p]), back = Tensor(zeros: [n, c, p])
        ChannelLayout.toChannelMajor(images.data, batch: n, channels: c, plane: p, into: major.data)
        #expect(major[2 * n * p + 1 * p + 3] == images[(1 * c + 2) * p + 3])
        ChannelLayout.toImages(major.data, batch: n, channels: c, plane: p, bias: nil, into: back.data)
        #expect(back.values == images.values)
    }
}
