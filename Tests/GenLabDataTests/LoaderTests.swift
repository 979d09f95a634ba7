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

    /// `shuffle: block`: a seeded permutation in which each buffer holds whole blocks of
    /// consecutive images, shuffled among themselves; another order than a full shuffle.
    @Test func blockShuffleShufflesWholeBlocksWithinBuffers() {
        let blocks = BlockShuffle(imageSize: 1 << 14) // 64 images a block, 4,096 a buffer
        #expect(blocks.blockImages == 64 && blocks.bufferImages == 4096)
        let count = 2 * 4096 + 1000 // two buffers and a part of one, its last block short
        let images = ImageSet(imageShape: [1, 1, 1], pixels: [UInt8](repeating: 0, count: count), labels: [Int32](repeating: 0, count: count))
        let loader = BatchLoader(images: images, batchSize: 32, dropLast: false, shuffle: true, blocks: blocks, seed: 5, normalization: .unit)
        let order = loader.order(epoch: 0)
        #expect(order.sorted() == Array(0..<count))
        // cut the order into buffers: runs of 64 blocks (the last fewer), each block whole
        var first = 0, buffers = 0
        while first < count {
            var members: [Int: Int] = [:]
            var end = first
            while end < count, members[order[end] / 64] != nil || members.count < 64 {
                members[order[end] / 64, default: 0] += 1
                end += 1
            }
            #expect(members.allSatisfy { block, n in n == min(64, count - 64 * block) }, "buffer \(buffers) holds whole blocks")
            // shuffled within the buffer: few neighbours stay neighbours (about 1 in 4,096)
            let runs = (first..<(end - 1)).filter { order[$0 + 1] == order[$0] + 1 }.count
            #expect(runs < (end - first) / 100, "shuffled within buffer \(buffers): \(runs) neighbours kept")
            first = end
            buffers += 1
        }
        #expect(buffers == 3)
        #expect(Set(order[0..<4000].map { $0 / 64 }) != Set(0..<64), "the blocks are shuffled")
        let again = BatchLoader(images: images, batchSize: 32, dropLast: false, shuffle: true, blocks: blocks, seed: 5, normalization: .unit)
        let full = BatchLoader(images: images, batchSize: 32, dropLast: false, shuffle: true, seed: 5, normalization: .unit)
        #expect(again.order(epoch: 0) == order && loader.order(epoch: 1) != order && full.order(epoch: 0) != order)
        #expect(BlockShuffle(imageSize: 3 << 20).blockImages == 1)
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
        let dataset = try DatasetLoader.load(spec).dataset
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
        #expect(try DatasetLoader.load(spec).dataset.train.count == 4)
        let small = try DatasetFiles.folder("small")
        _ = try DatasetFiles.writeIDX(folder: small, gzip: false, train: 2, test: 2, h: 5, w: 5)
        spec.path = small
        #expect(throws: DataError.self) { try DatasetLoader.load(spec).dataset }
    }

    /// `image_size` and `channels` fit a fixed-format dataset to a network: grey copied to
    /// three channels, RGB to PIL's luma, resized with torchvision's Resize + CenterCrop
    /// (identity at the same size; a uniform image stays uniform).
    @Test func fixedFormatImagesAreConverted() throws {
        let folder = try DatasetFiles.folder("convert")
        let written = try DatasetFiles.writeIDX(folder: folder, gzip: false, train: 3, test: 2, h: 28, w: 28)
        func spec(_ extra: String) throws -> DatasetSpec {
            try Experiment.parse("name: f\ndataset: {name: mnist, path: \(folder)\(extra)}\nmodel: {kind: ae, latent: 2, encoder: [flatten], decoder: mirror}\n", file: "f.yaml").dataset
        }
        let rgb = try DatasetLoader.load(try spec(", channels: 3")).dataset
        #expect(rgb.train.imageShape == [3, 28, 28])
        for c in 0..<3 { #expect(Array(rgb.train.image(1)[(rgb.train.image(1).startIndex + c * 784)...].prefix(784)) == Array(written.trainPixels[784..<1568])) }
        let large = try DatasetLoader.load(try spec(", image_size: 32, channels: 3")).dataset
        #expect(large.train.imageShape == [3, 32, 32] && large.test.imageShape == [3, 32, 32])
        #expect(large.train.count == 3 && large.test.count == 2 && large.train.labels == written.trainLabels.map(Int32.init))
        let image = Array(large.train.image(0))
        #expect(image.min()! >= written.trainPixels[0..<784].min()! && image.max()! <= written.trainPixels[0..<784].max()!)
        let uniform = ImageSet(imageShape: [1, 28, 28], pixels: [UInt8](repeating: 77, count: 784), labels: [0]).converted(channels: 3, size: 32)
        #expect(Set(uniform.pixels) == [77] && uniform.pixels.count == 3 * 32 * 32)
        let colour = ImageSet(imageShape: [3, 1, 2], pixels: [200, 10, 100, 20, 50, 250], labels: [0]).converted(channels: 1, size: 1)
        // the 1×2 image's short side is already 1: centre-cropped to one column of L = (299R + 587G + 114B) / 1000
        #expect(colour.imageShape == [1, 1, 1])
        let left: Int = (299 * 200 + 587 * 100 + 114 * 50) / 1000, right: Int = (299 * 10 + 587 * 20 + 114 * 250) / 1000
        #expect([[UInt8(left)], [UInt8(right)]].contains(colour.pixels), "luma of the left or right pixel: \(colour.pixels)")
    }
}
