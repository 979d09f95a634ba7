import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// The whole ARENA conv-VAE training step of the PyTorch reference, through GenLab's own
/// path: the network written in YAML, built (head and mirrored decoder included), the
/// reference weights loaded, one `AutoencoderTrainer` step with the reference ε. Checked:
/// reconstruction, losses, every parameter gradient and every parameter after the Adam update.
@Suite struct GoldenVAEStepTests {
    static let yaml = """
    name: arena
    dataset: {name: fashion-mnist}
    model:
      kind: vae
      latent: 3
      beta: 0.1
      encoder:
        - conv2d: {out: 16, kernel: 4, stride: 2, padding: 1, bias: false}
        - relu
        - conv2d: {out: 32, kernel: 4, stride: 2, padding: 1, bias: false}
        - relu
        - flatten
        - linear: {out: 16}
        - relu
      decoder: mirror
    train:
      optimizer: {adam: {lr: 1.0e-3, betas: [0.5, 0.999]}}
    """

    @Test func arenaVAEStepMatchesPyTorch() throws {
        let c = try #require(Golden.named("arena_conv_vae_step"))
        let model = try BuiltModel(try Experiment.parse(GoldenVAEStepTests.yaml, file: "arena.yaml"))
        let named = model.parameterGroups.flatMap { group in group.parameters.map { ("\(group.name).\($0.name)", $0.parameter) } }
        let params = try #require(c.params)
        #expect(Set(named.map(\.0)) == Set(params.keys))
        for (key, parameter) in named { #expect(Golden.load(try #require(params[key]), into: parameter.value), "\(key)") }
        #expect(try #require(c.beta) == model.experiment.model.autoencoder?.beta)

        let trainer = try #require(model.trainer(batchesPerEpoch: 100) as? VAETrainer)
        let losses = try trainer.step(try #require(c.input).tensor, labels: [], eps: try #require(c.eps).tensor)
        let reconstruction = try #require(trainer.lastReconstruction)
        #expect(Golden.mismatches(reconstruction.values, try #require(c.outputReconstruction), shape: reconstruction.shape) == [])
        #expect(Golden.mismatches([try #require(losses["reconstruction"])], try #require(c.lossRec)) == [])
        #expect(Golden.mismatches([try #require(losses["kl"])], try #require(c.lossKl)) == [])
        #expect(Golden.mismatches([try #require(losses["total"])], try #require(c.lossTotal)) == [])
        let grads = try #require(c.gradParams), after = try #require(c.paramsAfterStep)
        for (key, parameter) in named {
            #expect(Golden.mismatches(parameter.grad.values, try #require(grads[key])) == [], "grad \(key)")
            #expect(Golden.mismatches(parameter.value.values, try #require(after[key])) == [], "after \(key)")
        }
    }
}
