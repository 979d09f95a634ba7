import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// The gradients analyses follow to optimise a latent with the networks frozen, each against
/// central differences of its forward: through a decoder (with a CVAE's labels, and a
/// BatchNorm in evaluation mode), through a generator, and through a GAN's discriminator or a
/// WGAN's critic rating G(z) as real. The weights' gradients stay zero.
@Suite struct LatentGradientTests {
    static func built(_ yaml: String) throws -> any GenerativeModel {
        let model = try BuiltModel(try Experiment.parse("name: g\n" + TrainerGradientTests.dataset + yaml, file: "g.yaml"))
        for network in model.networks { network.network.isTraining = false }
        return model.generativeModel()
    }

    static func weightGradientsAreZero(_ trainer: any GenerativeModel) -> Bool {
        trainer.model.parameterGroups.allSatisfy { $0.parameters.allSatisfy { $0.parameter.grad.values.allSatisfy { $0 == 0 } } }
    }

    @Test(arguments: [
        "model:\n  kind: cvae\n  classes: 10\n  latent: 3\n  encoder: [flatten, {linear: {out: 6}}, tanh]\n  decoder: mirror\n  output: sigmoid\n",
        "model:\n  kind: ae\n  latent: 3\n  encoder: [{conv2d: {out: 2, kernel: 4, stride: 2, padding: 1}}, batchnorm, tanh, flatten]\n  decoder: mirror\n",
    ])
    func decoderGradientMatchesDifferences(_ yaml: String) throws {
        let trainer = try #require(try LatentGradientTests.built(yaml) as? LatentModel)
        let z = GradientCheck.random([2, 3], seed: 3)
        let labels: [Int32] = trainer.classes > 0 ? [4, 7] : []
        let r = GradientCheck.random([2, 1, 28, 28], seed: 4)
        let objective = { () throws -> Float in
            let images = try trainer.decode(z, labels: labels, level: 0)
            return zip(images.values, r.values).reduce(0) { $0 + $1.0 * $1.1 }
        }
        _ = try trainer.decode(z, labels: labels, level: 0)
        let gradZ = try trainer.decoderGradient(r).clone()
        #expect(gradZ.shape == [2, 3])
        #expect(try GradientCheck.function("z", of: z, analytic: gradZ, loss: objective).isEmpty)
        #expect(LatentGradientTests.weightGradientsAreZero(trainer))
    }

    static let generator = "  generator: [{linear: {out: 784}}, batchnorm, tanh, {unflatten: [1, 28, 28]}]\n"

    @Test(arguments: [
        "model:\n  kind: gan\n  latent: 3\n" + generator + "  discriminator: [flatten, {linear: {out: 5}}, tanh, {linear: {out: 1}}, sigmoid]\n",
        "model:\n  kind: gan\n  latent: 3\n  loss: bce_logits\n" + generator + "  discriminator: [flatten, {linear: {out: 5}}, tanh, {linear: {out: 1}}]\n",
        "model:\n  kind: wgan\n  latent: 3\n" + generator + "  critic: [flatten, {linear: {out: 5}}, tanh, {linear: {out: 1}}]\n",
    ])
    func generatorAndOpponentGradientsMatchDifferences(_ yaml: String) throws {
        let trainer = try #require(try LatentGradientTests.built(yaml) as? AdversarialModel)
        let z = GradientCheck.random([3, 3], seed: 5)
        // the generator alone: L = Σ G(z) ⊙ r
        let r = GradientCheck.random([3, 1, 28, 28], seed: 6)
        _ = try trainer.samples(holdout: Tensor(zeros: [0]), noise: z)
        let gradZ = try trainer.generatorGradient(r).clone()
        #expect(try GradientCheck.function("z", of: z, analytic: gradZ, loss: {
            zip(try trainer.samples(holdout: Tensor(zeros: [0]), noise: z).values, r.values).reduce(0) { $0 + $1.0 * $1.1 }
        }).isEmpty)
        // the generator's loss on G(z), back to z
        let fake = try trainer.samples(holdout: Tensor(zeros: [0]), noise: z)
        let (_, gradFake) = try trainer.generatorLoss(fake)
        let gradRated = try trainer.generatorGradient(gradFake).clone()
        #expect(try GradientCheck.function("z", of: z, analytic: gradRated, loss: {
            try trainer.generatorLoss(try trainer.samples(holdout: Tensor(zeros: [0]), noise: z)).loss
        }).isEmpty)
        #expect(LatentGradientTests.weightGradientsAreZero(trainer))
    }
}
