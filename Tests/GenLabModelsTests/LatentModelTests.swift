import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabTestSupport
import Testing

/// The public way in and out of an autoencoder's latent space: `encode` gives a posterior
/// per level, `decode` turns latents of a level back into images, CVAE labels take part, and
/// recorded samples are exactly decode(encode(holdout).μ).
@Suite struct LatentModelTests {
    static func trainer(_ model: String) throws -> LatentModel {
        let yaml = "name: l\n" + TrainerGradientTests.dataset + "model:\n  " + model + TrainerGradientTests.mlp
        return try #require(try BuiltModel(try Experiment.parse(yaml, file: "l.yaml")).generativeModel() as? LatentModel)
    }

    static func images(_ n: Int) -> Tensor {
        var generator = RandomGenerator(seed: 5)
        let batch = Tensor(zeros: [n, 1, 28, 28])
        generator.fillUniform(batch.buffer, low: 0, high: 1)
        return batch
    }

    @Test func hierarchicalVAEHasTwoLevels() throws {
        let trainer = try LatentModelTests.trainer("kind: hvae\n  latent: 3\n  latent2: 2\n  encoder2: [{linear: {out: 4}}, tanh]\n  prior: [{linear: {out: 4}}, tanh]\n  ")
        #expect(trainer.latentSizes == [3, 2])
        let posteriors = try trainer.encode(LatentModelTests.images(4), labels: [])
        #expect(posteriors.map(\.mu.shape) == [[4, 3], [4, 2]] && posteriors.map(\.logSigma.shape) == [[4, 3], [4, 2]])
        let fromZ1 = try trainer.decode(posteriors[0].mu, labels: [], level: 0).clone()
        let fromZ2 = try trainer.decode(posteriors[1].mu, labels: [], level: 1).clone()
        #expect(fromZ1.shape == [4, 1, 28, 28] && fromZ2.shape == [4, 1, 28, 28])
        #expect(fromZ1.values != fromZ2.values, "level 1 decodes through the prior, not as z1")
        #expect(throws: ShapeError.self) { try trainer.decode(posteriors[0].mu, labels: [], level: 2) }
    }

    @Test func samplesAreDecodedPosteriorMeans() throws {
        let trainer = try LatentModelTests.trainer("kind: vae\n  latent: 2\n  heads: separate\n  scale_head: log_variance\n  ")
        let holdout = LatentModelTests.images(3)
        let posterior = try #require(try trainer.encode(holdout, labels: []).first)
        #expect(posterior.logSigma.values != posterior.mu.values)
        let decoded = try trainer.decode(posterior.mu, labels: [], level: 0).values
        #expect(try trainer.samples(holdout: holdout, noise: Tensor(zeros: [0])).values == decoded)
        #expect(throws: ShapeError.self) { try trainer.decode(posterior.mu, labels: [], level: 1) }
    }

    @Test func conditionalVAEUsesTheLabels() throws {
        let trainer = try LatentModelTests.trainer("kind: cvae\n  classes: 10\n  latent: 2\n  ")
        #expect(trainer.classes == 10 && trainer.sampleNoiseShape == [2])
        let images = LatentModelTests.images(2)
        let a = try trainer.encode(images, labels: [1, 2])[0].mu.values, b = try trainer.encode(images, labels: [3, 2])[0].mu.values
        #expect(a[0..<2] != b[0..<2] && a[2..<4] == b[2..<4])
        let z = Tensor(zeros: [2, 2])
        #expect(try trainer.decode(z, labels: [0, 0], level: 0).values != (try trainer.decode(z, labels: [0, 5], level: 0).values))
        #expect(throws: ShapeError.self) { try trainer.encode(images, labels: [1]) }
        #expect(throws: ShapeError.self) { try trainer.decode(z, labels: [0, 10], level: 0) }
    }

    @Test func autoencoderCodeHasZeroSpread() throws {
        let trainer = try LatentModelTests.trainer("kind: ae\n  latent: 3\n  ")
        let posterior = try #require(try trainer.encode(LatentModelTests.images(2), labels: []).first)
        #expect(posterior.mu.shape == [2, 3] && posterior.logSigma.values == [Float](repeating: 0, count: 6))
    }
}
