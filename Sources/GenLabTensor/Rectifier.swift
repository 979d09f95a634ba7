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
}
