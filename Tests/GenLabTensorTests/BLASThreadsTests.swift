import Foundation
import GenLabTensor
import Testing

/// Matrix products give the same bits on one thread and on several (GenLab cuts them by
/// shape; OpenBLAS's own threading would not), and the cut blocks cover C exactly; so do the
/// loops shared among threads (im2col, col2im).
@Suite(.serialized) struct BLASThreadsTests {
    /// C = op(A)·op(B) for random A and B, on `threads` threads.
    static func product(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, threads: Int) -> [Float] {
        var g = RandomGenerator(seed: 7, stream: RandomStream(UInt64(m * 31 + n * 7 + k)))
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        a.withUnsafeMutableBufferPointer { g.fillNormal($0) }
        b.withUnsafeMutableBufferPointer { g.fillNormal($0) }
        var c = [Float](repeating: .nan, count: m * n)
        BLAS.setThreads(threads)
        defer { BLAS.setThreads(1) }
        BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: transA ? m : k, b: b, ldb: transB ? k : n,
                  beta: 0, c: &c, ldc: n)
        return c
    }

    /// Shapes of the ARENA VAE's and DCGAN's products, and 32×256×784, which OpenBLAS's own
    /// two threads compute with other bits than its one.
    @Test(arguments: [(32, 256, 784), (256, 25088, 32), (32, 256, 25088), (512, 1568, 100), (100, 1568, 512), (1568, 100, 512),
                      (16, 100352, 16), (512, 4096, 256), (130, 70, 999)])
    func sameBitsOnOneAndTwoThreads(_ m: Int, _ n: Int, _ k: Int) {
        for (transA, transB) in [(false, false), (true, false), (false, true)] {
            let one = BLASThreadsTests.product(m: m, n: n, k: k, transA: transA, transB: transB, threads: 1)
            let two = BLASThreadsTests.product(m: m, n: n, k: k, transA: transA, transB: transB, threads: 2)
            #expect(!one.contains { $0.isNaN }, "C not filled")
            // compared first: a failing #expect would describe millions of values
            let same = one.map(\.bitPattern) == two.map(\.bitPattern)
            #expect(same, "\(m)×\(n)×\(k) transA \(transA) transB \(transB)")
        }
    }

    @Test func blocksCoverTheLongerSide() {
        #expect(BLAS.gemmBlocks(m: 16, n: 16, k: 16).count == 1)
        let wide = BLAS.gemmBlocks(m: 32, n: 25088, k: 256)
        #expect(wide.count == 2 && !wide.alongRows && wide.size * (wide.count - 1) < 25088 && wide.size * wide.count >= 25088)
        let tall = BLAS.gemmBlocks(m: 1568, n: 100, k: 512)
        #expect(tall.count == 2 && tall.alongRows && tall.size % 16 == 0)
    }

    /// The loops around the products share their work among the threads in parts that cover
    /// every element once.
    @Test func partsCoverEveryElementOnce() {
        BLAS.setThreads(2)
        defer { BLAS.setThreads(1) }
        for (count, minimum) in [(0, 1), (1, 1), (2, 1), (3, 1), (7, 1), (100, 1), (70_000, 1 << 15), (40_000, 1 << 15)] {
            let lock = NSLock()
            var seen = [Int](repeating: 0, count: count), parts = 0
            ParallelRanges.forEach(count, minimum: minimum) { part in
                lock.lock()
                defer { lock.unlock() }
                parts += 1
                for i in part { seen[i] += 1 }
            }
            #expect(seen.allSatisfy { $0 == 1 }, "\(count) elements")
            #expect(parts == min(2, count / minimum), "\(count) elements in parts of at least \(minimum)")
        }
    }

    /// im2col and its adjoint over a batch shared by two threads give the bits of one.
    @Test(arguments: [ConvGeometry(channels: 3, height: 9, width: 7, kernel: 5, stride: 1, padding: 0),
                      ConvGeometry(channels: 2, height: 14, width: 14, kernel: 4, stride: 2, padding: 1)])
    func im2colGivesTheSameBitsOnTwoThreads(_ g: ConvGeometry) {
        let batch = 5
        var generator = RandomGenerator(seed: 3)
        var images = [Float](repeating: 0, count: batch * g.channels * g.height * g.width)
        var columns = [Float](repeating: 0, count: g.patchSize * batch * g.outputPlane)
        images.withUnsafeMutableBufferPointer { generator.fillNormal($0) }
        columns.withUnsafeMutableBufferPointer { generator.fillNormal($0) }
        func run(threads: Int) -> (unfolded: [UInt32], folded: [UInt32]) {
            BLAS.setThreads(threads)
            defer { BLAS.setThreads(1) }
            var unfolded = [Float](repeating: .nan, count: columns.count), folded = [Float](repeating: .nan, count: images.count)
            Im2Col.unfold(images, batch: batch, geometry: g, into: &unfolded)
            Im2Col.fold(columns, batch: batch, geometry: g, into: &folded)
            return (unfolded.map(\.bitPattern), folded.map(\.bitPattern))
        }
        let one = run(threads: 1), two = run(threads: 2)
        let same = one.unfolded == two.unfolded && one.folded == two.folded
        #expect(same)
        #expect(!one.unfolded.contains(Float.nan.bitPattern) && !one.folded.contains(Float.nan.bitPattern))
    }
}
