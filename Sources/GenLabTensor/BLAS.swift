import COpenBLAS

/// Thin wrappers over OpenBLAS's CBLAS, row-major throughout.
public enum BLAS {
    /// Sets the number of threads OpenBLAS uses in this process (GenLab's default is one:
    /// the cores are used by running sweep points in parallel processes).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The CPU kernel family OpenBLAS picked for this machine.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// C = alpha · op(A) · op(B) + beta · C with row-major A (m×k after op), B (k×n after op),
    /// C (m×n); `lda`, `ldb`, `ldc` are the row strides as stored.
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc))
    }

    /// y = alpha · op(A) · x + beta · y with row-major A (rows×cols as stored).
    @inline(__always)
    public static func gemv(
        trans: Bool = false, rows: Int, cols: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
        beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(
            CblasRowMajor, trans ? CblasTrans : CblasNoTrans, blasint(rows), blasint(cols),
            alpha, a, blasint(lda), x, 1, beta, y, 1)
    }
}
