import Foundation

/// GenLab's seeded random numbers: PCG32 (O'Neill's XSH-RR output on a 64-bit LCG).
///
/// The whole state is two 64-bit words (`state`), so a run can save it and continue with
/// the same bits after a resume. Methods:
/// - `nextUInt32`: one PCG32 output.
/// - `nextUniform`: the top 24 bits of one output, scaled to [0, 1).
/// - normal samples by Box–Muller in Double: u1 = 1 − uniform (in (0, 1]), u2 = uniform,
///   r = √(−2 ln u1), z0 = r·cos(2π u2), z1 = r·sin(2π u2), each rounded to Float; a
///   buffer is filled pair by pair (an odd last element uses z0 and drops z1).
public struct RandomGenerator: Sendable, Equatable {
    /// The saved form of a generator: LCG state and stream increment (odd).
    public struct State: Sendable, Equatable {
        public var state: UInt64
        public var increment: UInt64
        public init(state: UInt64, increment: UInt64) {
            self.state = state
            self.increment = increment | 1
        }
    }

    /// The current state; assigning it restores a saved generator exactly.
    public var state: State

    private static let multiplier: UInt64 = 6_364_136_223_846_793_005

    /// A generator for `seed` on `stream` (independent streams for independent uses).
    public init(seed: UInt64, stream: RandomStream = RandomStream(0)) {
        state = State(state: 0, increment: (stream.number << 1) | 1)
        _ = nextUInt32()
        state.state &+= seed
        _ = nextUInt32()
    }

    /// The next 32 random bits.
    @inline(__always)
    public mutating func nextUInt32() -> UInt32 {
        let old = state.state
        state.state = old &* RandomGenerator.multiplier &+ state.increment
        let xorShifted = UInt32(truncatingIfNeeded: ((old >> 18) ^ old) >> 27)
        let rotation = UInt32(truncatingIfNeeded: old >> 59)
        return (xorShifted >> rotation) | (xorShifted << ((~rotation &+ 1) & 31))
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func nextUniform() -> Float {
        Float(nextUInt32() >> 8) * (1.0 / 16_777_216.0)
    }

    /// A uniform integer in 0..<bound (Lemire's nearly-divisionless method, unbiased).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= Int(UInt32.max), "bound out of range")
        let b = UInt32(bound)
        var product = UInt64(nextUInt32()) * UInt64(b)
        var low = UInt32(truncatingIfNeeded: product)
        if low < b {
            let threshold = (0 &- b) % b
            while low < threshold {
                product = UInt64(nextUInt32()) * UInt64(b)
                low = UInt32(truncatingIfNeeded: product)
            }
        }
        return Int(product >> 32)
    }

    /// Fills `buffer` with uniform samples in [low, high).
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>, low: Float, high: Float) {
        let width = high - low
        for i in buffer.indices { buffer[i] = low + width * nextUniform() }
    }

    /// Fills `buffer` with normal samples of the given mean and standard deviation.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, std: Float = 1) {
        var i = 0
        while i < buffer.count {
            let u1 = 1.0 - Double(nextUInt32() >> 8) * (1.0 / 16_777_216.0)
            let u2 = Double(nextUInt32() >> 8) * (1.0 / 16_777_216.0)
            let r = (-2.0 * Foundation.log(u1)).squareRoot()
            let angle = 2.0 * Double.pi * u2
            buffer[i] = mean + std * Float(r * Foundation.cos(angle))
            if i + 1 < buffer.count { buffer[i + 1] = mean + std * Float(r * Foundation.sin(angle)) }
            i += 2
        }
    }

    /// Shuffles `indices` in place (Fisher–Yates, from the last element down).
    public mutating func shuffle(_ indices: inout [Int]) {
        guard indices.count > 1 else { return }
        for i in stride(from: indices.count - 1, to: 0, by: -1) {
            indices.swapAt(i, nextInt(below: i + 1))
        }
    }
}
