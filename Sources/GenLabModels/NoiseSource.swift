import GenLabNN

/// Where the noise of fake batches comes from: the training's random generator, or tensors
/// given in order (the PyTorch reference steps fix them).
public enum NoiseSource {
    case random(RandomGenerator)
    case given([Tensor])

    /// Fills `noise` with the next draw: standard normal values, or uniform ones in [0, 1).
    public mutating func fill(_ noise: Tensor, uniform: Bool = false) throws(ShapeError) {
        switch self {
        case .random(var generator):
            if uniform { generator.fillUniform(noise.buffer, low: 0, high: 1) } else { generator.fillNormal(noise.buffer) }
            self = .random(generator)
        case .given(var tensors):
            guard let next = tensors.first else { throw ShapeError("the step needs more noise tensors than were given") }
            guard next.shape == noise.shape else {
                throw ShapeError("given noise \(next.shape.shapeDescription), the step needs \(noise.shape.shapeDescription)")
            }
            noise.copy(from: next)
            tensors.removeFirst()
            self = .given(tensors)
        }
    }

    /// The random generator after the draws (nil for given noise).
    public var generator: RandomGenerator? {
        if case .random(let generator) = self { return generator }
        return nil
    }
}
