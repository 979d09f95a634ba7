import Foundation
import CZlib
import GenLabData
import Testing

/// Image files whose header claims more pixels than GenLab decodes are refused before any
/// pixel memory is allocated (a small file can otherwise expand to gigabytes).
@Suite struct HostileImageTests {
    /// A PNG of 20,000 × 20,000 RGB pixels by its header (its data is cut short).
    static func hugePNG() -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            let crc = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
            return bigEndian(UInt32(data.count)) + body + bigEndian(crc)
        }
        func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        let header = bigEndian(20_000) + bigEndian(20_000) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
            + chunk("IEND", [])
    }

    @Test func hugeImageHeaderIsRefused() throws {
        let folder = try DatasetFiles.folder("bomb")
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(name)", withIntermediateDirectories: true)
            try Data(HostileImageTests.hugePNG()).write(to: URL(fileURLWithPath: "\(folder)/\(name)/0.png"))
        }
        let e = try #require(CorruptFileTests.error { try ImageFolderReader.load(folder: folder, size: 64) })
        #expect(e.path.hasSuffix("/a/0.png"))
        #expect(e.message.contains("20000 x 20000 pixels, more than GenLab decodes"), "\(e.message)")
    }
}
