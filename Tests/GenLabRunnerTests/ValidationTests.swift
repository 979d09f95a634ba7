import Foundation
import GenLabData
import GenLabModels
import GenLabNN
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTestSupport
import GenLabTraining
import Testing

/// `record.validation`: the loss terms on held-out images are the stored model's losses on
/// them, recomputed here through other code (the public encode/decode and the layers, on all
/// the images at once instead of in chunks).
@Suite struct ValidationTests {
    /// Trains `name` for 3 steps of 32 images with a validation of the first 50 test images
    /// (two chunks, 32 and 18) at step 3; returns the experiment, the run file's contents
    /// and the stored model.
    static func validated(_ name: String, _ overrides: [String]) throws -> (Experiment, RunContents, BuiltModel) {
        let point = try RunHarness.point(name, overrides + ["dataset.subset=96", "train.batch_size=32",
                                                            "record.validation={every: 3, count: 50}", "record.losses_every=1"], length: .steps(3))
        let contents = try RunHarness.run(point, results: try RunHarness.folder("validation-\(name)")).contents
        let model = try BuiltModel(point.experiment)
        _ = try RunCheckpoint.restore(try #require(contents.state), into: model, optimizers: [:], path: "run.h5")
        return (point.experiment, contents, model)
    }

    /// The first 50 test images, normalised, as one batch.
    static func testImages(_ e: Experiment) throws -> (images: Tensor, labels: [Int32]) {
        BatchLoader.whole(try DatasetLoader.load(e.dataset).dataset.test.prefix(50), normalization: e.dataset.normalization)
    }

    static func stored(_ contents: RunContents, _ term: String) throws -> Float {
        let values = try #require(contents.history.columns["validation.\(term)"], "no validation.\(term) column")
        #expect(contents.history.steps == [1, 2, 3])
        #expect(values[0].isNaN && values[1].isNaN, "validation.\(term) ran only at step 3")
        return values[2]
    }

    static func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= 2e-5 * max(1, abs(b)) }

    /// A VAE's KL term (closed form: no ε in it) is the KL of the stored encoder's μ and log σ
    /// in evaluation mode; reduction mean averages over the 50 images, reduction sum is the
    /// sum over them on the scale of a batch of 32.
    @Test(arguments: [Reduction.mean, .sum])
    func vaeKL(_ reduction: Reduction) throws {
        let (e, contents, model) = try ValidationTests.validated("arena-conv-vae", ["model.reduction=\(reduction.rawValue)"])
        let vae = try #require(model.generativeModel() as? LatentModel)
        let posterior = try vae.encode(try ValidationTests.testImages(e).images, labels: [])[0]
        var kl = try GaussianKL(reduction: reduction).forward(mu: posterior.mu, scale: posterior.logSigma)
        if reduction == .sum { kl *= 32 / 50 }
        let stored = try ValidationTests.stored(contents, "kl")
        #expect(ValidationTests.close(stored, kl), "validation.kl \(stored), recomputed \(kl)")
        #expect(contents.metadata.validationImages == "the first 50 test images")
        let training = try #require(contents.history.columns["kl"])
        #expect(training.allSatisfy(\.isFinite) && !training.contains(stored))
    }

    /// An autoencoder's reconstruction is the MSE of the stored model's reconstructions of
    /// the 50 images.
    @Test func autoencoderReconstruction() throws {
        let (e, contents, model) = try ValidationTests.validated("arena-conv-ae", [])
        let ae = try #require(model.generativeModel() as? LatentModel)
        let x = try ValidationTests.testImages(e).images
        let reconstruction = try ae.decode(try ae.encode(x, labels: [])[0].mu, labels: [], level: 0)
        let mse = try MSELoss().forward(reconstruction, x)
        let stored = try ValidationTests.stored(contents, "reconstruction")
        #expect(ValidationTests.close(stored, mse), "validation.reconstruction \(stored), recomputed \(mse)")
        #expect(try ValidationTests.stored(contents, "total") == stored)
    }

    /// A GAN's `d_real` is the BCE of the stored discriminator (BatchNorm on its running
    /// statistics: evaluation mode) on the 50 test images against "real"; `d_fake` and
    /// `generator` rate the same fresh fakes, so a sigmoid D's two are tied:
    /// d_fake = mean −log(1 − p), generator = mean −log p, over the fakes' p.
    @Test func ganDiscriminator() throws {
        let (e, contents, model) = try ValidationTests.validated("lab-dcgan", [])
        let discriminator = try #require(model.networks.first { $0.name == "discriminator" }).network
        discriminator.isTraining = false
        let x = try ValidationTests.testImages(e).images
        let p = try discriminator.forward(x)
        let target = Tensor(zeros: p.shape)
        target.fill(1)
        let bce = try BCELoss().forward(p, target)
        let stored = try ValidationTests.stored(contents, "d_real")
        #expect(ValidationTests.close(stored, bce), "validation.d_real \(stored), recomputed \(bce)")
        let dFake = try ValidationTests.stored(contents, "d_fake"), generator = try ValidationTests.stored(contents, "generator")
        #expect(dFake.isFinite && generator.isFinite && dFake != generator)
        // training mode would normalise by the batch's statistics: a different value
        discriminator.isTraining = true
        #expect(try BCELoss().forward(try discriminator.forward(x), target) != stored)
    }

    /// A WGAN's validated terms: the critic's loss without its penalty, and the generator's.
    @Test func wganCritic() throws {
        let (_, contents, _) = try ValidationTests.validated("lab-wgan-gp", [])
        #expect(Set(contents.history.columns.keys.filter { $0.hasPrefix("validation.") }) == ["validation.critic", "validation.generator"])
        #expect(try ValidationTests.stored(contents, "critic").isFinite)
    }

    /// A dataset without a test split validates on its first training images, and says so.
    @Test func withoutTestSplit() throws {
        let point = try RunHarness.point("homework-dcgan-cifar", ["dataset={name: image-folder, path: \(try RunHarness.tinyFaces()), image_size: 32}",
                                                                  "train.batch_size=8", "record.validation={every: 2, count: 10}"], length: .steps(2))
        let contents = try RunHarness.run(point, results: try RunHarness.folder("validation-folder")).contents
        #expect(contents.metadata.validationImages == "the first 10 training images (the dataset has no test split)")
        #expect(contents.history.columns["validation.d_real"]?.last?.isFinite == true)
    }

    /// A validation schedule out of place is a located error.
    @Test(arguments: ["{every: 2}", "{count: 0, every: 2}", "{count: 5, every: soon}", "{count: 5, each: 2}"])
    func badSchedule(_ value: String) throws {
        #expect(throws: SpecError.self) { try RunHarness.point("arena-conv-vae", ["record.validation=\(value)"], length: .steps(2)) }
    }
}
