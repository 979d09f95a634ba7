/// A sparse autoencoder's penalty on its code: mean |z| over all elements (`z.abs().mean()`).
public struct L1Penalty: Sendable {
    public init() {}

    public func forward(_ z: Tensor) -> Float {
        var sum: Float = 0
        for i in 0..<z.count { sum += abs(z[i]) }
        return sum / Float(z.count)
    }

    /// Adds factor · ∂penalty/∂z = factor · sign(z) / count to `gradZ` (sign(0) = 0).
    public func backward(_ z: Tensor, factor: Float, addingTo gradZ: Tensor) throws(ShapeError) {
        guard gradZ.shape == z.shape else {
            throw ShapeError("L1 penalty: gradient \(gradZ.shape.shapeDescription) does not match z \(z.shape.shapeDescription)")
        }
        let count = Float(z.count)
        for i in 0..<z.count {
            let v = z[i]
            gradZ[i] += factor * (v > 0 ? 1 : (v < 0 ? -1 : 0)) / count
        }
    }
}
