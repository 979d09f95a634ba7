/// Loops over 16 lanes at a time for LayerNorm's per-value weights: chunks of an array, the
/// last one padded with zeros. (The activations' and GroupNorm's loops are C kernels.)
public enum VectorMath {
    public typealias Lanes = SIMD16<Float>

    /// `body` over `count` values in chunks of 16 lanes, the last chunk padded with zeros
    /// (written back only where it holds values).
    @inline(__always)
    public static func forEachChunk(_ count: Int, _ body: (Int, Int) -> Void) {
        var start = 0
        while start < count {
            body(start, min(Lanes.scalarCount, count - start))
            start += Lanes.scalarCount
        }
    }

    /// The lanes of `pointer[start..<start + n]`, zero beyond `n`.
    @inline(__always)
    public static func load(_ pointer: UnsafePointer<Float>, _ start: Int, _ n: Int) -> Lanes {
        if n == Lanes.scalarCount { return UnsafeRawPointer(pointer + start).loadUnaligned(as: Lanes.self) }
        var lanes = Lanes()
        for i in 0..<n { lanes[i] = pointer[start + i] }
        return lanes
    }

    /// Writes the first `n` lanes of `lanes` to `pointer[start...]`.
    @inline(__always)
    public static func store(_ lanes: Lanes, _ pointer: UnsafeMutablePointer<Float>, _ start: Int, _ n: Int) {
        if n == Lanes.scalarCount {
            UnsafeMutableRawPointer(pointer + start).storeBytes(of: lanes, as: Lanes.self)
            return
        }
        for i in 0..<n { pointer[start + i] = lanes[i] }
    }
}
