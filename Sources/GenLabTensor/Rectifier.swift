/// A ReLU (`slope` 0) or LeakyReLU (`slope` > 0) that a layer applies as it writes its
/// output, in the pass that writes it, instead of a pass of its own after it: y = x where
/// x > 0, slope·x elsewhere (0 for ReLU, as `torch.relu`).
public struct Rectifier: Hashable, Sendable {
    /// The factor for values at or below 0; 0 or more.
    public let slope: Float

    public init(slope: Float) {
        precondition(slope >= 0, "a rectifier's slope is 0 or more")
        self.slope = slope
    }

    /// The rectified value of `x`.
    @inline(__always)
    public func callAsFunction(_ x: Float) -> Float {
        x > 0 ? x : slope == 0 ? 0 : x * slope
    }
}
