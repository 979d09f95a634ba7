import CKernels
import COpenBLAS
import Glibc

/// Thin wrappers over OpenBLAS's CBLAS, row-major throughout.
///
/// Threads: OpenBLAS itself always runs on one thread, because its threaded paths round
/// differently (it picks other kernels by the thread count), and a point must end with the
/// same bits whatever the threads it was trained or resumed with. GenLab instead cuts a large
/// product into blocks of rows or columns of C by a rule that depends on the shapes alone
/// (`gemmBlocks`), and computes the blocks on `threads` threads: the same calls, so the same
/// bits, on one thread or many.
public enum BLAS {
    /// Threads for large matrix products (1 unless set).
    nonisolated(unsafe) public private(set) static var threads = 1

    /// Sets the number of threads of large matrix products in this process, and reserves
    /// OpenBLAS's work buffers for the products they run at once (see `reserveWorkBuffers`).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(1)
        threads = max(1, count)
        reserveWorkBuffers()
    }

    /// The address space of one OpenBLAS work buffer (its BUFFER_SIZE on x86-64, 32 << 22).
    static let workBufferBytes = 128 << 20
    /// How many products at once the reserved buffers serve.
    nonisolated(unsafe) private static var reservedBuffers = 0
    /// The most products that run at once: one per core (Dispatch runs a `concurrentPerform`
    /// on at most the active cores), and at most 64 (half of OpenBLAS's table).
    static var concurrentProducts: Int { min(threads, max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))), 64) }

    /// OpenBLAS 0.3.21 (Debian 12's) maps a new 128 MiB work buffer when a product starts
    /// while every buffer in its table is in use, and retries a failed mapping forever
    /// (OpenBLAS issue 5289, fixed in 0.3.30): under `ulimit -v`, a process whose tensors had
    /// taken the address space hung at the first product two threads ran at once, deaf to
    /// SIGTERM. So the buffers for `concurrentProducts` are taken now, before any model
    /// is built, and given back to the table, where later products find them; when the limit
    /// leaves no room for them, the program ends with the out-of-memory message instead.
    private static func reserveWorkBuffers() {
        let wanted = concurrentProducts
        guard reservedBuffers < wanted else { return }
        let needed = wanted - reservedBuffers
        // 16 MiB beyond the buffers: OpenBLAS aligns each mapping, and the program goes on
        if let room = AddressSpace.room, room < needed * workBufferBytes + (16 << 20) {
            Tensor.exitOutOfMemory("reserving OpenBLAS's work buffers (\(needed) × 128 MiB of address space)")
        }
        // held all at once, so that the table ends with `wanted` buffers
        let buffers = (0..<wanted).map { _ in blas_memory_alloc(0) }
        for buffer in buffers { blas_memory_free(buffer) }
        reservedBuffers = wanted
    }

    /// The CPU kernel family OpenBLAS picked for this machine.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// C = alpha · op(A) · op(B) + beta · C with row-major A (m×k after op), B (k×n after op),
    /// C (m×n); `lda`, `ldb`, `ldc` are the row strides as stored. In `bf16`, op(A) and op(B)
    /// are rounded to bfloat16 and multiplied by oneDNN (`genlab_gemm_bf16`), summed in float.
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
        precision: Precision = .fp32
    ) {
        MatrixWork.add(m * n * k)
        let (count, size, alongRows) = gemmBlocks(m: m, n: n, k: k)
        func block(_ i: Int) {
            let start = i * size, extent = min(size, (alongRows ? m : n) - start)
            guard extent > 0 else { return }
            let a = alongRows ? a + (transA ? start : start * lda) : a
            let b = alongRows ? b : b + (transB ? start * ldb : start)
            let c = c + (alongRows ? start * ldc : start)
            if precision == .bf16 {
                let status = genlab_gemm_bf16(transA ? 1 : 0, transB ? 1 : 0, alongRows ? extent : m, alongRows ? n : extent, k,
                                              alpha, a, lda, b, ldb, beta, c, ldc)
                if status == Int32(GENLAB_MATMUL_OUT_OF_MEMORY) { Tensor.exitOutOfMemory("rounding a product's operands to bfloat16") }
                precondition(status == 0, "oneDNN bfloat16 product failed with status \(status)")
                return
            }
            cblas_sgemm(
                CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                blasint(alongRows ? extent : m), blasint(alongRows ? n : extent), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                beta, c, blasint(ldc))
        }
        ParallelRanges.forEach(count) { blocks in
            for i in blocks { block(i) }
        }
    }

    /// How `gemm` cuts C (m×n, inner size k): in two halves of rows (`alongRows`) or columns,
    /// whichever side is longer, when each half has at least 2²² multiply-adds and 64 rows or
    /// columns (more blocks cost a single thread more than they gave two). It depends on the
    /// shapes only, never on the threads.
    public static func gemmBlocks(m: Int, n: Int, k: Int) -> (count: Int, size: Int, alongRows: Bool) {
        let alongRows = m > n
        let side = max(m, n)
        let count = min(2, (m * n * k) >> 22, side / 64)
        guard count > 1 else { return (1, side, alongRows) }
        let size = ((side + count - 1) / count + 15) / 16 * 16
        return ((side + size - 1) / size, size, alongRows)
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
