import Foundation
import GenLabAnalysis
import GenLabData
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// A short run of each objective learns: autoencoders reduce their reconstruction error,
/// generators move their samples towards the data. (The quick start and the β sweep in
/// TrainingTests check the VAE against PyTorch's figures.)
@Suite struct LearningTests {
    static func mean(_ values: ArraySlice<Float>) -> Float { values.reduce(0, +) / Float(max(values.count, 1)) }

    @Test(arguments: ["arena-conv-ae", "arena-denoising-ae", "homework-cvae", "arena-hierarchical-vae", "lab-bn-vae", "cis522-linear-ae"])
    func autoencoderReconstructsBetter(_ name: String) throws {
        let point = try RunHarness.point(name, ["dataset.subset=6400", "train.batch_size=64", "record.losses_every=1",
                                                "record.samples=none", "record.latents=none"], length: .steps(100))
        let history = try RunHarness.run(point, results: try RunHarness.folder("learn-ae")).contents.history
        let rec = try #require(history.columns["reconstruction"])
        let first = LearningTests.mean(rec.prefix(3)), last = LearningTests.mean(rec.suffix(10))
        #expect(last < 0.75 * first, "\(name): reconstruction \(first) → \(last)")
    }

    /// The mean absolute difference between the mean generated image and the mean training
    /// image (pixel scale) shrinks from the first recording (step 10) to the last (measured:
    /// GAN 0.233 → 0.155, WGAN 0.102 → 0.030; with the generator trained towards "fake" or
    /// its sign flipped it grows instead, 0.248 → 0.309 and 0.462 → 0.706).
    @Test(arguments: [
        ("gan", "kind: gan\n  latent: 16\n  generator: [{linear: {out: 128}}, {leaky_relu: {slope: 0.2}}, {linear: {out: 784}}, tanh, {unflatten: [1, 28, 28]}]\n  discriminator: [flatten, {linear: {out: 128}}, {leaky_relu: {slope: 0.2}}, {linear: {out: 1}}, sigmoid]"),
        ("wgan", "kind: wgan\n  latent: 16\n  critic_steps: 2\n  generator: [{linear: {out: 128}}, {leaky_relu: {slope: 0.2}}, {linear: {out: 784}}, tanh, {unflatten: [1, 28, 28]}]\n  critic: [flatten, {linear: {out: 128}}, {leaky_relu: {slope: 0.2}}, {linear: {out: 1}}]\ntrain:\n  optimizer: {rmsprop: {lr: 5.0e-4}}"),
    ])
    func generatorApproachesTheData(_ name: String, _ model: String) throws {
        let yaml = "name: learn-\(name)\ndataset: {name: fashion-mnist, normalize: symmetric, subset: 6400}\nmodel:\n  \(model)\n"
        let folder = try RunHarness.folder("learn-gan")
        let file = "\(folder)/\(name).yaml"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let experiment = try Experiment.load(path: file)
            .overriding(try ["train.batch_size=64", "record.losses_every=10", "record.samples={every: 10, count: 256}"].map(Override.commandLine))
            .training(for: .steps(300))
        let point = try experiment.points()[0]
        let contents = try RunHarness.run(point, results: folder).contents
        let dataset = try DatasetLoader.load(point.experiment.dataset).dataset
        let pixels = 784
        var dataMean = [Float](repeating: 0, count: pixels)
        for i in 0..<dataset.train.count {
            for p in 0..<pixels { dataMean[p] += Float(dataset.train.pixels[i * pixels + p]) / 255 }
        }
        dataMean = dataMean.map { $0 / Float(dataset.train.count) }
        func distance(_ record: SampleRecord) throws -> Float {
            let images = try #require(record.images.floats)
            let n = images.count / pixels
            var total: Float = 0
            for p in 0..<pixels {
                var m: Float = 0
                for i in 0..<n { m += images[i * pixels + p] }
                total += abs(m / Float(n) - dataMean[p])
            }
            return total / Float(pixels)
        }
        let early = try distance(try #require(contents.samples.first)), late = try distance(try #require(contents.samples.last))
        #expect(late < 0.8 * early, "\(name): mean-image distance \(early) → \(late)")
    }
}
