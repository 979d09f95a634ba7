import GenLabModels
import GenLabNN
import GenLabTestSupport
import Testing

/// The whole ARENA conv-VAE training step of the PyTorch reference: reconstruction, losses,
/// every parameter gradient and every parameter after one Adam update.
@Suite struct GoldenVAEStepTests {
    @Test func arenaVAEStepMatchesPyTorch() throws {
        let c = try #require(Golden.named("arena_conv_vae_step"))
        let params = try #require(c.params)
        let latent = try #require(c.eps).shape[1]
        let hidden = try #require(params["encoder.5.bias"]).shape[0]
        let (encoder, decoder) = ReferenceModels.arenaConvVAE(latent: latent, hidden: hidden)
        let named = encoder.parameters.map { ("encoder.\($0.name)", $0.parameter) }
            + decoder.parameters.map { ("decoder.\($0.name)", $0.parameter) }
        #expect(Set(named.map(\.0)) == Set(params.keys))
        for (key, parameter) in named {
            #expect(Golden.load(try #require(params[key]), into: parameter.value), "\(key)")
        }
        let adam = Adam(named.map { (name: $0.0, parameter: $0.1) }, lr: 1e-3, betas: (0.5, 0.999))
        let step = VAEStep(encoder: encoder, decoder: decoder, latent: latent,
                           beta: Float(try #require(c.beta)), optimizer: adam)
        let losses = try step(try #require(c.input).tensor, eps: try #require(c.eps).tensor)

        let reconstruction = try #require(step.lastReconstruction)
        #expect(Golden.mismatches(reconstruction.values, try #require(c.outputReconstruction), shape: reconstruction.shape) == [])
        #expect(Golden.mismatches([losses.reconstruction], try #require(c.lossRec)) == [])
        #expect(Golden.mismatches([losses.kl], try #require(c.lossKl)) == [])
        #expect(Golden.mismatches([losses.total], try #require(c.lossTotal)) == [])
        let grads = try #require(c.gradParams), after = try #require(c.paramsAfterStep)
        for (key, parameter) in named {
            #expect(Golden.mismatches(parameter.grad.values, try #require(grads[key])) == [], "grad \(key)")
            #expect(Golden.mismatches(parameter.value.values, try #require(after[key])) == [], "after \(key)")
        }
    }
}
