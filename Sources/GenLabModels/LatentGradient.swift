import GenLabNN

/// Gradients with respect to a latent, for analyses that optimise z with the networks frozen
/// (fitting q(z) with the decoder fixed; a generator's is `AdversarialModel.generatorGradient`).
/// Each is the backward of the forward just run (`decode` at level 0); the weights'
/// gradients are never touched.
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
