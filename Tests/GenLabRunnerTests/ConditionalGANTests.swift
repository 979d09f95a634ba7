import Foundation
import GenLabData
import GenLabResults
import GenLabSpec
import GenLabStore
import GenLabTraining
import Testing

/// A conditional GAN (`classes`) trained end to end on an image folder, and the error when the
/// folder has more classes than the model's one-hot label holds.
@Suite struct ConditionalGANTests {
    static func experiment(folder: String, classes: Int) throws -> ExperimentPoint {
        let yaml = """
        name: cgan
        dataset: {name: image-folder, path: \(folder), image_size: 8, channels: 3, normalize: symmetric}
        model:
          kind: gan
          latent: 4
          classes: \(classes)
          loss: hinge
          generator:
            - linear: {out: 192}
            - tanh
            - unflatten: [3, 8, 8]
          discriminator:
            - conv2d: {out: 4, kernel: 3, padding: 1}
            - leaky_relu: {slope: 0.2}
            - flatten
            - linear: {out: 1}
        train:
          steps: 3
          batch_size: 4
        record:
          samples: {every: 1, count: 6}
        """
        return try Experiment.parse(yaml, file: "cgan.yaml").points()[0]
    }

    @Test func trainsAndRecordsSamplesPerClass() throws {
        let folder = try RunHarness.tinyFaces(perClass: 4)
        let contents = try RunHarness.run(try ConditionalGANTests.experiment(folder: folder, classes: 2), results: try RunHarness.folder("cgan")).contents
        #expect(contents.samples.map(\.step) == [1, 2, 3])
        #expect(contents.samples.first?.images.shape == [6, 3, 8, 8])
        #expect(contents.history.columns["d_real"]?.count == 3)
    }

    @Test func moreClassesInTheFolderThanTheLabelHoldsIsAnError() throws {
        let folder = try RunHarness.tinyFaces(perClass: 4)
        try FileManager.default.copyItem(atPath: "\(folder)/a", toPath: "\(folder)/c")
        let error = try #require(throws: RunError.self) {
            _ = try RunHarness.run(try ConditionalGANTests.experiment(folder: folder, classes: 2), results: try RunHarness.folder("cgan3"))
        }
        #expect(error.place == "model.classes" && error.message.hasPrefix("'model.classes' is 2 but the dataset has 3 classes"), "\(error)")
    }
}
