import GenLabNN
import GenLabTestSupport
import Testing

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
