/// A WGAN's loss term: the mean critic score, sign · mean f(x) (−1 for real images in the
/// critic's loss and for fakes in the generator's, +1 for fakes in the critic's).
public struct WassersteinLoss: Sendable {
    public var sign: Float
    public init(sign: Float) { self.sign = sign }

    public func forward(_ scores: Tensor) -> Float {
        var sum: Double = 0
        for i in 0..<scores.count { sum += Double(scores[i]) }
        return sign * Float(sum / Double(scores.count))
    }

    /// Writes ∂loss/∂scores = sign / N into `gradScores`.
    public func backward(_ scores: Tensor, into gradScores: Tensor) {
        gradScores.resize(to: scores.shape)
        gradScores.fill(sign / Float(scores.count))
    }
}
