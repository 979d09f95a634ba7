/// Element-wise functions on 16 lanes at once, for the activations: eˣ after Cephes' expf
/// (a degree-6 polynomial on [−½ ln 2, ½ ln 2] and a power of two; within 2 ulp of expf on
/// [−87, 88], clamped outside) and erf after Abramowitz and Stegun 7.1.26 (within 1.5e-7).
public enum VectorMath {
    public typealias Lanes = SIMD16<Float>

    /// eˣ per lane.
    @inline(__always)
    public static func exp(_ x: Lanes) -> Lanes {
        let x = x.clamped(lowerBound: Lanes(repeating: -87.3), upperBound: Lanes(repeating: 88.7))
        // n = round(x·log₂e) by adding 1.5·2²³, which also leaves n in the low bits
        let magic = Lanes(repeating: 12_582_912)
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p = Lanes(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
        let exponent = (integer &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: Lanes.self)
    }

    /// erf(x) per lane.
    @inline(__always)
    public static func erf(_ x: Lanes) -> Lanes {
        let a = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.3275911 * a)
        var p = Lanes(repeating: 1.061405429)
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let y = 1 - p * t * exp(-a * a)
        return y.replacing(with: -y, where: x .< 0)
    }

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
