import GenLabNN

/// Gradients with respect to a latent, for analyses that optimise z with the networks frozen
/// (fitting q(z) with the decoder fixed, inverting a generator, activation maximisation).
/// Each is the backward of the forward just run (`decode` at level 0, or `samples` / G(z));
/// the weights' gradients are never touched.
extension LatentModel {
    /// ∂/∂z (N × latent) given ∂/∂images of the images last decoded from level 0 (a CVAE's
    /// label columns dropped).
    public func decoderGradient(_ gradImages: Tensor) throws(ShapeError) -> Tensor {
        guard case .autoencoder(let networks) = model.architecture else { throw ShapeError("the model has no decoder") }
        let gradInput = try networks.decoder.network.backward(gradImages, accumulateParameterGradients: false)
        guard classes > 0 else { return gradInput }
        let gradZ = Tensor(zeros: [0])
        try OneHotConcat(classes: classes).backward(gradInput, features: latentSizes[0], into: gradZ)
        return gradZ
    }
}

extension AdversarialTrainer {
    /// G(z) in evaluation mode (as `samples`).
    public func generate(_ z: Tensor) throws(ShapeError) -> Tensor { try samples(holdout: Tensor(zeros: [0]), noise: z) }

    /// ∂/∂z (the noise's shape) given ∂/∂images of the images last generated.
    public func generatorGradient(_ gradImages: Tensor) throws(ShapeError) -> Tensor {
        guard case .adversarial(let networks) = model.architecture else { throw ShapeError("the model has no generator") }
        return try networks.generator.network.backward(gradImages, accumulateParameterGradients: false)
    }
}
