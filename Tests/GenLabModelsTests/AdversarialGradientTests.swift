import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// Finite-difference checks of the adversarial steps, with the noise held fixed: the
/// discriminator's (critic's) gradient is that of its own loss, the generator's that of the
/// generator loss through the discriminator.
@Suite struct AdversarialGradientTests {
    // smooth activations: a whole-tensor perturbation would cross ReLU kinks (ReLU and
    // LeakyReLU have their own gradient checks)
    static let generator = "generator: [{linear: {out: 8, bias: false}}, batchnorm, tanh, {linear: {out: 16}}, tanh, {unflatten: [1, 4, 4]}]"
    static let opponent = "[flatten, {linear: {out: 8}}, tanh, {linear: {out: 1}}"

    static let cases: [(String, String, [String], [String])] = [
        ("gan bce", "kind: gan\n  loss: bce\n  discriminator: \(opponent), sigmoid]", ["d_real", "d_fake"], ["generator"]),
        ("gan bce_logits", "kind: gan\n  loss: bce_logits\n  discriminator: \(opponent)]", ["d_real", "d_fake"], ["generator"]),
        // the critic's last bias cancels in mean D(fake) − mean D(real): its gradient is 0,
        // and a finite difference of it is only rounding
        ("wgan", "kind: wgan\n  critic_steps: 1\n  clip: 100\n  critic: [flatten, {linear: {out: 8}}, tanh, {linear: {out: 1, bias: false}}]",
         ["critic"], ["generator"]),
    ]

    @Test(arguments: 0..<cases.count)
    func stepsFollowTheirLosses(_ index: Int) throws {
        let (name, model, opponentLosses, generatorLosses) = AdversarialGradientTests.cases[index]
        let yaml = """
        name: g
        dataset: {name: image-folder, path: unused, image_size: 4, channels: 1, normalize: symmetric}
        train: {batch_size: 5, optimizer: {adam: {lr: 1.0e-30}}}
        model:
          latent: 3
          \(AdversarialGradientTests.generator)
          \(model)
        """
        let built = try BuiltModel(try Experiment.parse(yaml, file: "\(name).yaml"))
        let trainer = built.trainer(batchesPerEpoch: 100)
        let real = GradientCheck.random([5, 1, 4, 4], seed: 4)
        let noise = GradientCheck.random([5, 3], seed: 5)
        func losses() throws -> [String: Float] {
            switch trainer {
            case let gan as GANTrainer: try gan.step(real, noise: [noise])
            case let wgan as WGANTrainer: try wgan.step(real, noise: [noise, noise])
            default: [:]
            }
        }
        for network in built.networks {
            let names = network.name == "generator" ? generatorLosses : opponentLosses
            let parameters = network.network.parameters.map { ("\(network.name).\($0.name)", $0.parameter) }
            let failures = try GradientCheck.tensors(parameters) {
                let values = try losses()
                return names.reduce(0.0) { $0 + Double(values[$1]!) }
            }
            #expect(failures.isEmpty, "\(name): \(failures.prefix(6))")
        }
    }
}
