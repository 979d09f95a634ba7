import Foundation
import GenLabData
import GenLabSpec
import Testing

/// Each reader on tiny files the test writes itself, read back exactly.
@Suite struct ReaderTests {
    @Test(arguments: [(false, ""), (true, ""), (false, "MNIST/raw"), (true, "FashionMNIST/raw")])
    func idxRoundTrips(_ gzip: Bool, _ layout: String) throws {
        let folder = try DatasetFiles.folder("idx")
        let written = try DatasetFiles.writeIDX(folder: folder, layout: layout, gzip: gzip, train: 7, test: 5)
        let dataset = try IDXReader.load(folder: folder, classNames: [])
        #expect(dataset.train.imageShape == [1, 4, 3] && dataset.train.count == 7 && dataset.test.count == 5)
        #expect(dataset.train.pixels == written.trainPixels && dataset.test.pixels == written.testPixels)
        #expect(dataset.train.labels == written.trainLabels.map(Int32.init))
        #expect(dataset.test.labels == written.testLabels.map(Int32.init))
        #expect(dataset.classNames == ["0", "1", "2"])
    }

    @Test func cifarRoundTrips() throws {
        let folder = try DatasetFiles.folder("cifar") + "/cifar-10-batches-bin"
        var expected: [[UInt8]] = []
        for (i, name) in ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"].enumerated() {
            var bytes: [UInt8] = []
            for r in 0..<2 {
                let image = DatasetFiles.pixels(3072, seed: i * 10 + r)
                expected.append(image)
                bytes += [UInt8((i + r) % 10)] + image
            }
            try DatasetFiles.write(bytes, to: "\(folder)/\(name).bin")
        }
        let dataset = try CIFAR10Reader.load(folder: (folder as NSString).deletingLastPathComponent)
        #expect(dataset.train.count == 10 && dataset.test.count == 2 && dataset.train.imageShape == [3, 32, 32])
        #expect(dataset.train.pixels == expected[0..<10].flatMap { $0 })
        #expect(dataset.test.pixels == expected[10...].flatMap { $0 })
        #expect(dataset.train.labels == [0, 1, 1, 2, 2, 3, 3, 4, 4, 5])
        #expect(dataset.classNames[9] == "truck")
    }

    /// Two classes of RGB images, PNG and JPEG, already at the target size: PNG exact, JPEG
    /// within its compression error; labels follow the sorted class folders.
    @Test func imageFolderRoundTrips() throws {
        let folder = try DatasetFiles.folder("images")
        let size = 8
        var originals: [[UInt8]] = []
        for (c, name) in ["cats", "dogs"].enumerated() {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(name)", withIntermediateDirectories: true)
            for (k, jpeg) in [false, true].enumerated() {
                // smooth gradients survive JPEG well
                var rgb = [UInt8](repeating: 0, count: size * size * 3)
                for y in 0..<size { for x in 0..<size { for ch in 0..<3 {
                    rgb[(y * size + x) * 3 + ch] = UInt8(40 + 10 * x + 8 * y + 30 * ch + 20 * c + 5 * k)
                } } }
                originals.append(rgb)
                try DatasetFiles.writeImage("\(folder)/\(name)/img\(k).\(jpeg ? "jpg" : "png")", pixels: rgb, width: size, height: size, channels: 3, jpeg: jpeg)
            }
        }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: "\(folder)/cats/notes.txt"))
        let dataset = try ImageFolderReader.load(folder: folder, size: size)
        #expect(dataset.classNames == ["cats", "dogs"])
        #expect(dataset.train.count == 4 && dataset.train.labels == [0, 0, 1, 1] && dataset.train.imageShape == [3, size, size])
        #expect(dataset.test.count == 0)
        for i in 0..<4 {
            // stored channel-major; the originals are interleaved
            let stored = Array(dataset.train.image(i))
            let interleavedBack = (0..<(size * size * 3)).map { j in stored[(j % 3) * size * size + j / 3] }
            let isJPEG = i % 2 == 1
            let worst = zip(interleavedBack, originals[i]).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(isJPEG ? worst <= 6 : worst == 0, "image \(i) differs by \(worst)")
        }
    }

    /// Resize of the short side then centre crop, as torchvision: a 12×6 grey image to 6
    /// keeps the middle six columns untouched; a 2× shrink of a constant image stays constant.
    @Test func resizeAndCenterCrop() throws {
        let folder = try DatasetFiles.folder("resize")
        try FileManager.default.createDirectory(atPath: "\(folder)/a", withIntermediateDirectories: true)
        let wide = (0..<(6 * 12)).map { UInt8(($0 % 12) * 20) }
        try DatasetFiles.writeImage("\(folder)/a/wide.png", pixels: wide, width: 12, height: 6, channels: 1, jpeg: false)
        let cropped = try ImageFolderReader.load(folder: folder, size: 6)
        #expect(cropped.train.imageShape == [1, 6, 6])
        #expect(Array(cropped.train.image(0)[0..<6]) == [60, 80, 100, 120, 140, 160])

        let flat = try DatasetFiles.folder("flat")
        try FileManager.default.createDirectory(atPath: "\(flat)/a", withIntermediateDirectories: true)
        try DatasetFiles.writeImage("\(flat)/a/big.png", pixels: [UInt8](repeating: 77, count: 20 * 16), width: 20, height: 16, channels: 1, jpeg: false)
        let shrunk = try ImageFolderReader.load(folder: flat, size: 8)
        #expect(shrunk.train.pixels.allSatisfy { $0 == 77 })
    }

    @Test func trainAndTestSubfoldersAreSplits() throws {
        let folder = try DatasetFiles.folder("splits")
        for split in ["train", "test"] {
            for name in ["x", "y"] {
                try FileManager.default.createDirectory(atPath: "\(folder)/\(split)/\(name)", withIntermediateDirectories: true)
                try DatasetFiles.writeImage("\(folder)/\(split)/\(name)/1.png", pixels: [UInt8](repeating: 9, count: 16), width: 4, height: 4, channels: 1, jpeg: false)
            }
        }
        let dataset = try ImageFolderReader.load(folder: folder, size: 4)
        #expect(dataset.train.count == 2 && dataset.test.count == 2 && dataset.test.labels == [0, 1])
    }
}
