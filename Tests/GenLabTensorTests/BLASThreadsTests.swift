import GenLabTensor
import Testing

/// Matrix products give the same bits on one thread and on several (GenLab cuts them by
/// shape; OpenBLAS's own threading would not), and the cut blocks cover C exactly.
@Suite(.serialized) struct BLASThreadsTests {
    /// C = op(A)·op(B) for random A and B, on `threads` threads.
    static func product(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, threads: Int) -> [Float] {
        var g = RandomGenerator(seed: 7, stream: UInt64(m * 31 + n * 7 + k))
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
            #expect(one.map(\.bitPattern) == two.map(\.bitPattern), "\(m)×\(n)×\(k) transA \(transA) transB \(transB)")
        }
    }

    @Test func blocksCoverTheLongerSide() {
        #expect(BLAS.gemmBlocks(m: 16, n: 16, k: 16).count == 1)
        let wide = BLAS.gemmBlocks(m: 32, n: 25088, k: 256)
        #expect(wide.count == 2 && !wide.alongRows && wide.size * (wide.count - 1) < 25088 && wide.size * wide.count >= 25088)
        let tall = BLAS.gemmBlocks(m: 1568, n: 100, k: 512)
        #expect(tall.count == 2 && tall.alongRows && tall.size % 16 == 0)
    }
}
