import Foundation
import GenLabAnalysis
import GenLabData
import GenLabModels
import GenLabNN
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabSweeps
import GenLabTestSupport
import GenLabTraining
import Testing

/// What a run records: it never changes training, and it holds the right values.
@Suite struct RecordingTests {
    /// Every objective (BatchNorm and spectral norm in the recorded networks included).
    static let objectives: [(String, [String])] = [
        ("arena-conv-ae", []),
        ("arena-denoising-ae", []),
        ("arena-conv-vae", []),
        ("lab-bn-vae", ["model.decoder.0.linear.spectral_norm=true"]),
        ("homework-cvae", []),
        ("arena-hierarchical-vae", []),
        ("lab-wgan", []),
        ("lab-wgan-gp", ["model.critic_steps=2", "model.classes=10"]),
        ("homework-dcgan-cifar", []),
    ]

    /// Recording samples and latents after every step and a validation every other, or
    /// none of them: the same bits in every weight, buffer and optimizer moment, and the same
    /// training losses.
    @Test(arguments: objectives.map(\.0))
    func recordingNeverChangesTraining(_ name: String) throws {
        var base = RecordingTests.objectives.first { $0.0 == name }!.1 + ["train.batch_size=16", "record.checkpoint={every: 100}", "record.losses_every=1"]
        base.append(name == "homework-dcgan-cifar" ? "dataset={name: cifar10, path: \(try RunHarness.tinyCIFAR())}" : "dataset.subset=96")
        let isAutoencoder = try RunHarness.point(name, base, length: .steps(1)).experiment.model.kind.isAutoencoder
        let recording = base + ["record.samples={every: 1, count: 4}", "record.validation={every: 2, count: 20}"]
            + (isAutoencoder ? ["record.latents={every: 1, count: 20}"] : [])
        let silent = base + ["record.samples=none"] + (isAutoencoder ? ["record.latents=none"] : [])
        let recorded = try RunHarness.run(try RunHarness.point(name, recording, length: .steps(7)), results: try RunHarness.folder("rec")).contents
        let plain = try RunHarness.run(try RunHarness.point(name, silent, length: .steps(7)), results: try RunHarness.folder("plain")).contents
        #expect(recorded.samples.map(\.step) == Array(1...7))
        if isAutoencoder { #expect(recorded.latents.map(\.step) == (1...7).map { $0 }) }
        let a = RunHarness.weightBits(recorded), b = RunHarness.weightBits(plain)
        #expect(a.count > 0 && a.keys.sorted() == b.keys.sorted())
        for key in a.keys.sorted() { #expect(a[key] == b[key], "\(key) differs when recording") }
        var training = recorded.history
        let validation = training.columns.filter { $0.key.hasPrefix("validation.") }
        training.columns = training.columns.filter { !$0.key.hasPrefix("validation.") }
        #expect(training == plain.history)
        // due at steps 2, 4, 6 and for the final weights (7)
        #expect(!validation.isEmpty && validation.values.allSatisfy { $0.map(\.isFinite) == [false, true, false, true, false, true, true] })
    }

    /// A run that stops mid-epoch records samples and latents of its final weights, and
    /// they are what the stored checkpoint gives when recomputed: reconstructions of the
    /// holdout (pixel scale), μ and log σ of the test images, z = μ + σ·ε with ε from the
    /// latents' stream.
    /// arena-conv-vae's reconstructions decode a sampled z (`latent: sample`): z = μ + σ·ε
    /// with ε the samples' fixed noise.
    @Test(arguments: ["arena-conv-vae", "lab-bn-vae", "homework-cvae", "arena-conv-ae"])
    func recordedValuesAreTheFinalModels(_ name: String) throws {
        let sampled = name == "arena-conv-vae"
        let point = try RunHarness.point(name, ["dataset.subset=200", "train.batch_size=32", "train.drop_last=false",
                                                "record.samples={every: epoch, count: 6\(sampled ? ", latent: sample" : "")}",
                                                "record.latents={every: epoch, count: 50}"], length: .steps(9))
        let contents = try RunHarness.run(point, results: try RunHarness.folder("values")).contents
        let e = point.experiment
        // 7 batches per epoch: the epoch's end (step 7) and the final step (9)
        #expect(contents.samples.map(\.step) == [7, 9])
        #expect(contents.latents.map(\.step) == [7, 9])
        #expect(contents.latents.map(\.epoch) == [0, 1])

        let model = try BuiltModel(e)
        _ = try RunCheckpoint.restore(try #require(contents.state), into: model, optimizers: [:], path: "run.h5")
        let trainer = try #require(model.generativeModel() as? LatentModel)
        let dataset = try DatasetLoader.load(e.dataset).dataset
        let transform = PixelTransform(e.dataset.normalization, channels: e.dataset.imageShape[0])

        let stored = try #require(contents.samples.last?.images.floats)
        let noiseShape = trainer.sampleNoiseShape ?? []
        let noise = Tensor(zeros: [6] + noiseShape)
        var noiseGenerator = RandomGenerator(seed: e.seed, stream: .sampleNoise)
        noiseGenerator.fillNormal(noise.buffer)
        let holdoutImages = DatasetLoader.holdout(dataset, e.dataset.holdout).prefix(6)
        let holdout = BatchLoader(images: holdoutImages, batchSize: holdoutImages.count, dropLast: false, shuffle: false, seed: 0,
                                  normalization: e.dataset.normalization)
        holdout.load(epoch: 0, index: 0)
        let recomputed = transform.pixelScale(try trainer.samples(holdout: holdout.batch, noise: noise))
        #expect(recomputed == stored, "\(name): stored samples are not the final model's")
        if sampled {
            let posterior = try trainer.encode(holdout.batch, labels: [])[0]
            let z = Tensor(zeros: posterior.mu.shape)
            for i in 0..<z.count { z[i] = posterior.mu[i] + Foundation.exp(posterior.logSigma[i]) * noise[i] }
            #expect(transform.pixelScale(try trainer.decode(z, labels: [], level: 0)) == stored, "sampled reconstructions decode μ + σ·ε")
            #expect(transform.pixelScale(try trainer.decode(posterior.mu, labels: [], level: 0)) != stored, "sampled reconstructions are not μ's")
        }

        let latents = try #require(contents.latents.last)
        let images = dataset.test.prefix(50)
        let loader = BatchLoader(images: images, batchSize: e.train.batchSize, dropLast: false, shuffle: false, seed: 0,
                                 normalization: e.dataset.normalization)
        var mu: [Float] = [], logSigma: [Float] = [], z: [Float] = []
        var epsGenerator = RandomGenerator(seed: e.seed, stream: .latentNoise)
        for index in 0..<loader.batchesPerEpoch {
            loader.load(epoch: 0, index: index)
            let lowest = try trainer.encode(loader.batch, labels: loader.labels)[0]
            let codes = (mu: lowest.mu.values, logSigma: lowest.logSigma.values)
            mu += codes.mu
            logSigma += codes.logSigma
            var eps = [Float](repeating: 0, count: codes.mu.count)
            eps.withUnsafeMutableBufferPointer { epsGenerator.fillNormal($0) }
            z += e.model.kind.isVariational ? zip(codes.mu, zip(codes.logSigma, eps)).map { $0 + Foundation.exp($1.0) * $1.1 } : codes.mu
        }
        #expect(latents.mu.floats == mu, "\(name): stored μ")
        #expect(latents.logSigma.floats == logSigma, "\(name): stored log σ")
        #expect(latents.z.floats == z, "\(name): stored z")
        #expect(latents.labels == images.labels.map(Int64.init))
        if e.model.kind.isVariational {
            #expect(logSigma != mu && Set(logSigma).count > 1, "log σ must be the encoder's scale, not μ")
        }
    }

    /// Sample schedules: 100 images in batches of 32 are 4 steps per epoch (32, 64, 96,
    /// 100 images); over 8 steps `{images: 100}` is due at 4 and 8, `{epoch_steps: 3}` with
    /// `epoch` at 3, 4, 7 and 8, `3` (global steps) at 3, 6 and the final 8.
    @Test(arguments: [("{images: 100}", [4, 8]), ("[{epoch_steps: 3}, epoch]", [3, 4, 7, 8]), ("3", [3, 6, 8]), ("{images: 64}", [2, 8])])
    func sampleSchedules(_ every: String, _ steps: [Int]) throws {
        let point = try RunHarness.point("arena-conv-ae", ["dataset.subset=100", "train.batch_size=32", "train.drop_last=false",
                                                         "record.samples={every: \(every), count: 2}", "record.latents=none"],
                                         length: .steps(8))
        let contents = try RunHarness.run(point, results: try RunHarness.folder("schedule")).contents
        #expect(contents.samples.map(\.step) == steps, "every: \(every)")
    }
}
