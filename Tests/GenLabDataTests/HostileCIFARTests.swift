import Foundation
import CZlib
import GenLabData
import Testing

/// A CIFAR-10 batch file far larger than a real one is refused before it is read.
@Suite struct HostileCIFARTests {
    @Test func oversizedBatchIsRefused() throws {
        let folder = try DatasetFiles.folder("cifar-big")
        let path = "\(folder)/data_batch_1.bin"
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 2 << 30)  // sparse: no disk space used
        try handle.close()
        let e = try #require(CorruptFileTests.error { try CIFAR10Reader.load(folder: folder) })
        #expect(e.path == path)
        #expect(e.reason == .tooLarge, "\(e)")
    }
}
