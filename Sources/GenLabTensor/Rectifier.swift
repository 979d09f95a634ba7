/// A ReLU (`slope` 0) or LeakyReLU: y = x where x > 0, slope·x elsewhere (0 for ReLU, as
/// `torch.relu`). `Activation` applies it in a pass of its own; a layer that
/// `RectifiesItsOutput` applies one of slope 0 or more in the pass that writes its output.
public struct Rectifier: Hashable, Sendable {
    /// The factor for values at or below 0.
    public let slope: Float

    public init(slope: Float) { self.slope = slope }

    /// The rectified value of `x`.
    @inline(__always)
    public func callAsFunction(_ x: Float) -> Float {
        x > 0 ? x : slope == 0 ? 0 : x * slope
    }

    /// `to[i] = self(from[i] + bias)` (`self(from[i])` when `bias` is nil) for `count` values,
    /// eight lanes at a time: branch-free, with the bits of the scalar form; `from` may be `to`.
    public func apply(_ from: UnsafePointer<Float>, bias: Float?, into to: UnsafeMutablePointer<Float>, count: Int) {
        typealias Lanes = SIMD8<Float>
        let vectorCount = count / Lanes.scalarCount * Lanes.scalarCount, zero = Lanes(repeating: 0)
        var i = 0
        while i < vectorCount {
            var xs = UnsafeRawPointer(from + i).loadUnaligned(as: Lanes.self)
            if let bias { xs += bias }
            let below = slope == 0 ? zero : xs * slope
            UnsafeMutableRawPointer(to + i).storeBytes(of: below.replacing(with: xs, where: xs .> 0), as: Lanes.self)
            i += Lanes.scalarCount
        }
        while i < count {
            to[i] = self(bias.map { from[i] + $0 } ?? from[i])
            i += 1
        }
    }
}
