import Foundation
import CZlib
import GenLabData
import Testing

/// Headers and labels that no real dataset has.
@Suite struct HostileIDXTests {
    /// A label file with a label beyond MNIST's ten classes is refused at load.
    @Test func labelOutsideTheClassesIsRefused() throws {
        let folder = try DatasetFiles.folder("labels")
        _ = try DatasetFiles.writeIDX(folder: folder, gzip: false, train: 6, test: 2)
        let labels: [UInt8] = [0, 1, 2, 3, 200, 5]
        try DatasetFiles.write(DatasetFiles.idx(rank: 1, dims: [6], data: labels), to: "\(folder)/train-labels-idx1-ubyte")
        let e = try #require(CorruptFileTests.error { try IDXReader.load(folder: folder, classNames: (0..<10).map(String.init)) })
        #expect(e.path == "\(folder)/train-labels-idx1-ubyte")
        #expect(e.reason == .corrupt, "\(e)")
    }

    /// A header claiming 2³²−1 images of 2³²−1 × 2³²−1 pixels is an error, not an overflow.
    @Test func hugeHeaderIsAnError() throws {
        let folder = try DatasetFiles.folder("huge")
        _ = try DatasetFiles.writeIDX(folder: folder, gzip: false, train: 2, test: 2)
        var bytes = DatasetFiles.idx(rank: 3, dims: [2, 4, 3], data: [UInt8](repeating: 0, count: 24))
        for i in 4..<16 { bytes[i] = 0xFF }
        try DatasetFiles.write(bytes, to: "\(folder)/train-images-idx3-ubyte")
        let e = try #require(CorruptFileTests.error { try IDXReader.load(folder: folder, classNames: []) })
        #expect(e.reason == .tooLarge, "\(e)")
    }

    /// A gzip file whose data goes on far beyond its header's length (a decompression bomb)
    /// is refused after reading one byte more than announced.
    @Test func dataBeyondTheHeaderIsRefused() throws {
        let folder = try DatasetFiles.folder("gzip-bomb")
        _ = try DatasetFiles.writeIDX(folder: folder, gzip: true, train: 2, test: 2)
        let bytes = DatasetFiles.idx(rank: 3, dims: [2, 4, 3], data: [UInt8](repeating: 7, count: 24 + 64 << 20))
        try DatasetFiles.write(bytes, to: "\(folder)/train-images-idx3-ubyte.gz", gzip: true)
        let e = try #require(CorruptFileTests.error { try IDXReader.load(folder: folder, classNames: []) })
        #expect(e.path == "\(folder)/train-images-idx3-ubyte.gz")
        #expect(e.reason == .corrupt, "\(e)")
    }
}
