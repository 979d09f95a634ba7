import Dispatch

/// Work cut into contiguous parts, one per thread of `BLAS.threads`: the blocks of a matrix
/// product, and the loops around the products (im2col, BatchNorm, the optimizer step) that
/// would otherwise leave the second core idle. Every element is computed as on one thread, so
/// the bits do not depend on the threads.
public enum ParallelRanges {
    /// Calls `body` once per part of 0..<count, on up to `BLAS.threads` threads at once, each
    /// part at least `minimum` long (below that a thread costs more than it gives); the parts
    /// must touch disjoint memory.
    public static func forEach(_ count: Int, minimum: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = min(BLAS.threads, count / max(minimum, 1))
        guard parts > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body(count * part / parts..<count * (part + 1) / parts)
        }
    }
}
