import Foundation
import GenLabAnalysis
import GenLabData
import GenLabModels
import GenLabReport
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabSweeps
import GenLabTensor
import GenLabTestSupport
import GenLabTraining
import Testing

/// A run file loads back into a model that computes what the run computed with its final
/// weights: the samples recorded at the end of training, recomputed from the loaded model.
@Suite struct TrainedRunTests {
    @Test(arguments: [
        ("arena-conv-ae", ["dataset.subset=256", "train.batch_size=32"]),
        ("arena-conv-vae", ["dataset.subset=256", "train.batch_size=32"]),
        ("lab-bn-vae", ["dataset.subset=256", "train.batch_size=32"]),
        ("homework-cvae", ["dataset.subset=256", "train.batch_size=32"]),
        ("cis522-conv-vae", ["dataset.subset=250"]),
        ("lab-dcgan", ["dataset.subset=64", "train.batch_size=16", "model.generator.0.conv_transpose2d.out=32",
                       "model.generator.3.conv_transpose2d.out=16", "model.generator.6.conv_transpose2d.out=8"]),
    ])
    func loadedModelRecomputesTheFinalSamples(_ name: String, _ overrides: [String]) throws {
        let point = try RunHarness.point(name, overrides, length: .steps(5))
        let results = try RunHarness.folder("trained")
        let (_, contents) = try RunHarness.run(point, results: results)
        let recorded = try #require(contents.samples.last, "no samples recorded")
        #expect(recorded.step == 5)
        let run = try TrainedRun(path: "\(results)/\(point.experiment.name)/\(point.runID)/run.h5")
        #expect(run.step == 5 && run.experiment.tree.configurationHash == point.experiment.tree.configurationHash)
        #expect((run.latentModel == nil) == [.gan, .wgan].contains(point.experiment.model.kind))

        // the recorder's inputs, rebuilt here: the holdout and the fixed noise (stream 12)
        let e = point.experiment
        let count = e.record.samples?.count ?? 0
        let dataset = try DatasetLoader.load(e.dataset).dataset
        let holdout = DatasetLoader.holdout(dataset, e.dataset.holdout).prefix(count)
        let loader = BatchLoader(images: holdout, batchSize: max(holdout.count, 1), dropLast: false, shuffle: false, seed: 0,
                                 normalization: e.dataset.normalization)
        loader.load(epoch: 0, index: 0)
        let noise = Tensor(zeros: [count] + (run.generative.sampleNoiseShape ?? []))
        var g = RandomGenerator(seed: e.seed, stream: .sampleNoise)
        g.fillNormal(noise.buffer)
        let images = try run.generative.samples(holdout: loader.batch, noise: noise)
        let pixels = PixelTransform(e.dataset.normalization, channels: e.dataset.imageShape[0]).pixelScale(images)
        #expect(pixels == recorded.images.floats, "\(name): the loaded model does not give the recorded samples")
    }

    @Test func aFileThatIsNotARunIsRefused() throws {
        let path = try RunHarness.folder("notrun") + "/run.h5"
        try Data("plain text".utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: RunError.self) { try TrainedRun(path: path) }
        #expect(error.path == path)
    }
}
