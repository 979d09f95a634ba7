/// The least-squares GAN's loss (Mao et al. 2017): ½·mean (d − t)² over scores d, with the
/// target t = 1 for real images (and for the generator's fakes), 0 for the discriminator's
/// fakes.
public struct LeastSquaresLoss: Sendable {
    public var target: Float
    public init(target: Float) { self.target = target }

    /// The loss of `scores` (N values).
    public func forward(_ scores: Tensor) -> Float {
        var sum = 0.0
        for i in 0..<scores.count {
            let gap = Double(scores[i] - target)
            sum += gap * gap
        }
        return Float(sum / Double(2 * scores.count))
    }

    /// Writes ∂loss/∂scores = (d − t)/N into `gradScores`.
    public func backward(_ scores: Tensor, into gradScores: Tensor) {
        gradScores.resize(to: scores.shape)
        let n = Float(scores.count)
        for i in 0..<scores.count { gradScores[i] = (scores[i] - target) / n }
    }
}
