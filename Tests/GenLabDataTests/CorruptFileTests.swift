import Foundation
import CZlib
import GenLabData
import Testing

/// Every broken input ends in a DataError naming the file, never a trap.
@Suite struct CorruptFileTests {
    static func error(_ body: () throws -> Any) -> DataError? {
        do {
            _ = try body()
            return nil
        } catch let error as DataError {
            return error
        } catch {
            return nil
        }
    }

    @Test func missingFolderNamesEveryPathTried() throws {
        let folder = try DatasetFiles.folder("missing")
        let e = try #require(CorruptFileTests.error { try IDXReader.load(folder: folder, classNames: []) })
        for tried in ["\(folder)/train-images-idx3-ubyte", "\(folder)/train-images-idx3-ubyte.gz",
                      "\(folder)/MNIST/raw/train-images-idx3-ubyte.gz", "\(folder)/FashionMNIST/raw/train-images-idx3-ubyte"] {
            #expect(e.reason == .missing)
        }
    }

    @Test func truncatedGzip() throws {
        let folder = try DatasetFiles.folder("truncated")
        _ = try DatasetFiles.writeIDX(folder: folder, gzip: true, train: 50, test: 5)
        let path = "\(folder)/train-images-idx3-ubyte.gz"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let e = try #require(CorruptFileTests.error { try IDXReader.load(folder: folder, classNames: []) })
        #expect(e.path == path)
        #expect(e.reason == .corrupt)
    }

    @Test func corruptGzip() throws {
        let folder = try DatasetFiles.folder("corrupt")
        _ = try DatasetFiles.writeIDX(folder: folder, gzip: true, train: 50, test: 5)
        let path = "\(folder)/t10k-images-idx3-ubyte.gz"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for i in 12..<bytes.count - 8 { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let e = try #require(CorruptFileTests.error { try IDXReader.load(folder: folder, classNames: []) })
        #expect(e.path == path)
        #expect(e.reason == .corrupt)
    }

    @Test func wrongMagicNumber() throws {
        let folder = try DatasetFiles.folder("magic")
        _ = try DatasetFiles.writeIDX(folder: folder, gzip: false, train: 3, test: 2)
        // a labels file where the images should be
        try FileManager.default.removeItem(atPath: "\(folder)/train-images-idx3-ubyte")
        try FileManager.default.copyItem(atPath: "\(folder)/train-labels-idx1-ubyte", toPath: "\(folder)/train-images-idx3-ubyte")
        let e = try #require(CorruptFileTests.error { try IDXReader.load(folder: folder, classNames: []) })
        #expect(e.path == "\(folder)/train-images-idx3-ubyte")
        #expect(e.reason == .corrupt)
    }

    @Test func imageAndLabelCountsDisagree() throws {
        let folder = try DatasetFiles.folder("counts")
        _ = try DatasetFiles.writeIDX(folder: folder, gzip: false, train: 4, test: 2)
        try DatasetFiles.write(DatasetFiles.idx(rank: 1, dims: [3], data: [0, 1, 2]), to: "\(folder)/train-labels-idx1-ubyte")
        let e = try #require(CorruptFileTests.error { try IDXReader.load(folder: folder, classNames: []) })
        #expect(e.reason == .corrupt)
    }

    /// A training set of no images is refused naming its images file (not the experiment).
    @Test func noTrainingImages() throws {
        let folder = try DatasetFiles.folder("none")
        _ = try DatasetFiles.writeIDX(folder: folder, gzip: false, train: 0, test: 2)
        let e = try #require(CorruptFileTests.error { try IDXReader.load(folder: folder, classNames: []) })
        #expect(e.path == "\(folder)/train-images-idx3-ubyte" && e.reason == .corrupt && e.message.contains("holds no images"), "\(e)")
    }

    @Test func truncatedRawIDX() throws {
        let folder = try DatasetFiles.folder("short")
        _ = try DatasetFiles.writeIDX(folder: folder, gzip: false, train: 4, test: 2)
        let path = "\(folder)/train-images-idx3-ubyte"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.dropLast(5).write(to: URL(fileURLWithPath: path))
        let e = try #require(CorruptFileTests.error { try IDXReader.load(folder: folder, classNames: []) })
        #expect(e.path == path && e.reason == .corrupt)
    }

    @Test func cifarTruncatedAndBadLabel() throws {
        let folder = try DatasetFiles.folder("cifar-bad")
        for name in ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"] {
            try DatasetFiles.write([3] + DatasetFiles.pixels(3072, seed: 1), to: "\(folder)/\(name).bin")
        }
        try DatasetFiles.write([3] + DatasetFiles.pixels(3000, seed: 1), to: "\(folder)/data_batch_3.bin")
        var e = try #require(CorruptFileTests.error { try CIFAR10Reader.load(folder: folder) })
        #expect(e.path == "\(folder)/data_batch_3.bin" && e.reason == .corrupt)
        try DatasetFiles.write([12] + DatasetFiles.pixels(3072, seed: 1), to: "\(folder)/data_batch_3.bin")
        e = try #require(CorruptFileTests.error { try CIFAR10Reader.load(folder: folder) })
        #expect(e.reason == .corrupt)
        try DatasetFiles.write([3] + DatasetFiles.pixels(3072, seed: 1), to: "\(folder)/data_batch_3.bin")
        try FileManager.default.removeItem(atPath: "\(folder)/test_batch.bin")
        e = try #require(CorruptFileTests.error { try CIFAR10Reader.load(folder: folder) })
        #expect(e.path == "\(folder)/test_batch.bin")
    }

    @Test func undecodableImageNamesItsPath() throws {
        let folder = try DatasetFiles.folder("undecodable")
        try FileManager.default.createDirectory(atPath: "\(folder)/a", withIntermediateDirectories: true)
        try DatasetFiles.writeImage("\(folder)/a/good.png", pixels: [UInt8](repeating: 1, count: 16), width: 4, height: 4, channels: 1, jpeg: false)
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: URL(fileURLWithPath: "\(folder)/a/broken.png"))
        let e = try #require(CorruptFileTests.error { try ImageFolderReader.load(folder: folder, size: 4) })
        #expect(e.path == "\(folder)/a/broken.png" && e.reason == .corrupt)
        try Data("hello".utf8).write(to: URL(fileURLWithPath: "\(folder)/a/broken.png"))
        let e2 = try #require(CorruptFileTests.error { try ImageFolderReader.load(folder: folder, size: 4) })
        #expect(e2.reason == .corrupt)
    }

    @Test func emptyFolders() throws {
        let empty = try DatasetFiles.folder("empty")
        let e = try #require(CorruptFileTests.error { try ImageFolderReader.load(folder: empty, size: 4) })
        #expect(e.path == empty && e.reason == .missing)
        try FileManager.default.createDirectory(atPath: "\(empty)/cls", withIntermediateDirectories: true)
        let e2 = try #require(CorruptFileTests.error { try ImageFolderReader.load(folder: empty, size: 4) })
        #expect(e2.reason == .missing)
        let e3 = try #require(CorruptFileTests.error { try ImageFolderReader.load(folder: empty + "/nowhere", size: 4) })
        #expect(e3.reason == .missing)
    }

    @Test func mixedChannelCounts() throws {
        let folder = try DatasetFiles.folder("mixed")
        try FileManager.default.createDirectory(atPath: "\(folder)/a", withIntermediateDirectories: true)
        try DatasetFiles.writeImage("\(folder)/a/1.png", pixels: [UInt8](repeating: 1, count: 16), width: 4, height: 4, channels: 1, jpeg: false)
        try DatasetFiles.writeImage("\(folder)/a/2.png", pixels: [UInt8](repeating: 1, count: 48), width: 4, height: 4, channels: 3, jpeg: false)
        let e = try #require(CorruptFileTests.error { try ImageFolderReader.load(folder: folder, size: 4) })
        #expect(e.path == "\(folder)/a/2.png" && e.reason == .mismatch)
    }
}
