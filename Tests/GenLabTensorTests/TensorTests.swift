import GenLabTensor
import Testing

@Suite struct TensorTests {
    @Test func resizeReusesCapacity() throws {
        let t = Tensor(zeros: [4, 8])
        let storage = t.data
        t.resize(to: [2, 8])
        #expect(t.data == storage && t.count == 16 && t.capacity == 32)
        t.resize(to: [8, 8])
        #expect(t.count == 64 && t.capacity == 64)
    }

    @Test func shapeErrorsAreThrownNotTrapped() {
        #expect(throws: ShapeError.self) { try Tensor(shape: [2, 3], values: [1, 2, 3]) }
        let t = Tensor(zeros: [2, 3])
        #expect(throws: ShapeError.self) { try t.reshape([4, 2]) }
    }

    @Test func gemmIsRowMajor() throws {
        let a = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3, 2], values: [7, 8, 9, 10, 11, 12])
        let c = Tensor(zeros: [2, 2])
        BLAS.gemm(m: 2, n: 2, k: 3, a: a.data, lda: 3, b: b.data, ldb: 2, beta: 0, c: c.data, ldc: 2)
        #expect(c.values == [58, 64, 139, 154])
    }
}
