import Foundation
import GenLabData
import GenLabSpec
import GenLabTensor
import Testing

/// Batches, shuffling, normalisation, holdout, and the real Fashion-MNIST.
@Suite struct LoaderTests {
    static func tinySet(_ n: Int) -> ImageSet {
        ImageSet(imageShape: [1, 2, 2], pixels: (0..<(n * 4)).map { UInt8($0 % 256) }, labels: (0..<n).map { Int32($0 % 10) })
    }

    @Test func shufflingIsSeededPerEpochAndAPermutation() {
        let loader = BatchLoader(images: LoaderTests.tinySet(100), batchSize: 16, dropLast: false, shuffle: true, seed: 5, normalization: .unit)
        let again = BatchLoader(images: LoaderTests.tinySet(100), batchSize: 16, dropLast: false, shuffle: true, seed: 5, normalization: .unit)
        let other = BatchLoader(images: LoaderTests.tinySet(100), batchSize: 16, dropLast: false, shuffle: true, seed: 6, normalization: .unit)
        #expect(loader.order(epoch: 0) == again.order(epoch: 0))
        #expect(loader.order(epoch: 0) != loader.order(epoch: 1))
        #expect(loader.order(epoch: 0) != other.order(epoch: 0))
        #expect(loader.order(epoch: 3).sorted() == Array(0..<100))
    }

    /// Any batch can be produced again directly, as a resumed run needs.
    @Test func batchesDoNotDependOnHistory() {
        let a = BatchLoader(images: LoaderTests.tinySet(50), batchSize: 8, dropLast: false, shuffle: true, seed: 1, normalization: .unit)
        let b = BatchLoader(images: LoaderTests.tinySet(50), batchSize: 8, dropLast: false, shuffle: true, seed: 1, normalization: .unit)
        for index in 0..<a.batchesPerEpoch { a.load(epoch: 0, index: index) }
        a.load(epoch: 1, index: 0)
        a.load(epoch: 1, index: 1)
        let fromA = (a.batch.values, a.labels)
        b.load(epoch: 1, index: 1)
        #expect(fromA.0 == b.batch.values && fromA.1 == b.labels)
    }

    @Test func dropLastAndBatchSizes() {
        let keep = BatchLoader(images: LoaderTests.tinySet(10), batchSize: 4, dropLast: false, shuffle: false, seed: 0, normalization: .unit)
        let drop = BatchLoader(images: LoaderTests.tinySet(10), batchSize: 4, dropLast: true, shuffle: false, seed: 0, normalization: .unit)
        #expect(keep.batchesPerEpoch == 3 && drop.batchesPerEpoch == 2)
        #expect(keep.load(epoch: 0, index: 2) == 2)
        #expect(keep.batch.shape == [2, 1, 2, 2] && keep.labels == [8, 9])
    }

    @Test func normalisations() {
        let images = ImageSet(imageShape: [1, 1, 2], pixels: [0, 255], labels: [0])
        func values(_ n: DatasetSpec.Normalization) -> [Float] {
            let loader = BatchLoader(images: images, batchSize: 1, dropLast: false, shuffle: false, seed: 0, normalization: n)
            loader.load(epoch: 0, index: 0)
            return loader.batch.values
        }
        #expect(values(.unit) == [0, 1])
        #expect(values(.symmetric) == [-1, 1])
        let standardised = values(.meanStd(mean: [0.5], std: [0.25]))
        #expect(abs(standardised[0] + 2) < 1e-6 && abs(standardised[1] - 2) < 1e-6)
    }

    @Test func holdoutIsTheFirstTestImageOfEachClass() {
        let test = ImageSet(imageShape: [1, 1, 1], pixels: [10, 11, 12, 13, 14], labels: [2, 0, 2, 1, 0])
        let dataset = Dataset(train: test, test: test, classNames: ["a", "b", "c"])
        let holdout = DatasetLoader.holdout(dataset, .perClass)
        #expect(holdout.labels == [0, 1, 2] && holdout.pixels == [11, 13, 10])
        #expect(DatasetLoader.holdout(dataset, .first(2)).pixels == [10, 11])
    }

    /// The real Fashion-MNIST installed by the setup step: published counts and statistics.
    @Test func fashionMNISTHasThePublishedCountsAndStatistics() throws {
        let spec = try Experiment.parse("name: f\ndataset: {name: fashion-mnist}\nmodel: {kind: ae, latent: 2, encoder: [flatten], decoder: mirror}\n", file: "f.yaml").dataset
        let dataset = try DatasetLoader.load(spec)
        #expect(dataset.train.count == 60_000 && dataset.test.count == 10_000)
        #expect(dataset.train.imageShape == [1, 28, 28] && dataset.classNames.count == 10)
        #expect(Set(dataset.train.labels) == Set(0..<10))
        var sum = 0.0, squares = 0.0
        for byte in dataset.train.pixels {
            let x = Double(byte) / 255
            sum += x
            squares += x * x
        }
        let n = Double(dataset.train.pixels.count)
        let mean = sum / n, std = (squares / n - mean * mean).squareRoot()
        #expect((mean * 10_000).rounded() / 10_000 == 0.2860)
        #expect((std * 10_000).rounded() / 10_000 == 0.3530)
        #expect(DatasetLoader.holdout(dataset, .perClass).labels == (0..<10).map(Int32.init))
    }

    @Test func subsetAndShapeChecks() throws {
        let folder = try DatasetFiles.folder("subset")
        _ = try DatasetFiles.writeIDX(folder: folder, gzip: false, train: 9, test: 3, h: 28, w: 28)
        var spec = try Experiment.parse("name: f\ndataset: {name: mnist, path: \(folder), subset: 4}\nmodel: {kind: ae, latent: 2, encoder: [flatten], decoder: mirror}\n", file: "f.yaml").dataset
        #expect(try DatasetLoader.load(spec).train.count == 4)
        let small = try DatasetFiles.folder("small")
        _ = try DatasetFiles.writeIDX(folder: small, gzip: false, train: 2, test: 2, h: 5, w: 5)
        spec.path = small
        #expect(throws: DataError.self) { try DatasetLoader.load(spec) }
    }
}
