/// A GAN discriminator's hinge loss (Lim & Ye 2017; StudioGAN's `hinge`): mean relu(1 − d) over
/// the scores d of real images, mean relu(1 + d) over those of fakes. (The generator's loss,
/// −mean d, is `WassersteinLoss(sign: −1)`.)
public struct HingeLoss: Sendable {
    /// Whether the scores are of real images.
    public var real: Bool
    public init(real: Bool) { self.real = real }

    /// The margin term of score d: 1 − d for real images, 1 + d for fakes.
    private func margin(_ d: Float) -> Float { real ? 1 - d : 1 + d }

    /// The loss of `scores` (N values).
    public func forward(_ scores: Tensor) -> Float {
        var sum = 0.0
        for i in 0..<scores.count { sum += Double(Swift.max(margin(scores[i]), 0)) }
        return Float(sum / Double(scores.count))
    }

    /// Writes ∂loss/∂scores into `gradScores`: ∓1/N where the margin is positive, 0 elsewhere
    /// (PyTorch's ReLU at 0).
    public func backward(_ scores: Tensor, into gradScores: Tensor) {
        gradScores.resize(to: scores.shape)
        let step = (real ? -1 : 1) / Float(scores.count)
        for i in 0..<scores.count { gradScores[i] = margin(scores[i]) > 0 ? step : 0 }
    }
}
