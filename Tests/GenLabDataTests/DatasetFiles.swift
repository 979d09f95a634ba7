import CImageCodecs
import CZlib
import Foundation
import GenLabTestSupport
import GenLabData

/// Tiny dataset files written by the tests themselves, in each supported format.
enum DatasetFiles {
    /// A fresh empty folder under the temporary directory.
    static func folder(_ name: String) throws -> String {
        try TestFolder.make("\(name)").path
    }

    /// The bytes of an IDX file: magic 0x08 type, rank, big-endian dimensions, data.
    static func idx(rank: UInt8, dims: [Int], data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, rank]
        for d in dims { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return bytes + data
    }

    /// Writes `bytes` to `path`, gzip-compressed when `gzip`.
    static func write(_ bytes: [UInt8], to path: String, gzip: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if gzip {
            guard let file = gzopen(path, "wb") else { throw CocoaError(.fileWriteUnknown) }
            let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
            gzclose(file)
            guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
        } else {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
    }

    /// Deterministic pixel bytes.
    static func pixels(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 * 37 + seed * 101) ^ ($0 >> 3)) }
    }

    /// An IDX dataset with `train` and `test` images of h×w in `folder` (under `layout`).
    static func writeIDX(folder: String, layout: String = "", gzip: Bool, train: Int, test: Int, h: Int = 4, w: Int = 3) throws
        -> (trainPixels: [UInt8], trainLabels: [UInt8], testPixels: [UInt8], testLabels: [UInt8]) {
        let base = layout.isEmpty ? folder : "\(folder)/\(layout)"
        let suffix = gzip ? ".gz" : ""
        let trainPixels = pixels(train * h * w, seed: 1), testPixels = pixels(test * h * w, seed: 2)
        let trainLabels = (0..<train).map { UInt8($0 % 3) }, testLabels = (0..<test).map { UInt8(($0 + 1) % 3) }
        try write(idx(rank: 3, dims: [train, h, w], data: trainPixels), to: "\(base)/train-images-idx3-ubyte\(suffix)", gzip: gzip)
        try write(idx(rank: 1, dims: [train], data: trainLabels), to: "\(base)/train-labels-idx1-ubyte\(suffix)", gzip: gzip)
        try write(idx(rank: 3, dims: [test, h, w], data: testPixels), to: "\(base)/t10k-images-idx3-ubyte\(suffix)", gzip: gzip)
        try write(idx(rank: 1, dims: [test], data: testLabels), to: "\(base)/t10k-labels-idx1-ubyte\(suffix)", gzip: gzip)
        return (trainPixels, trainLabels, testPixels, testLabels)
    }

    /// Writes an image (rows of width·channels bytes) as PNG or JPEG.
    static func writeImage(_ path: String, pixels: [UInt8], width: Int, height: Int, channels: Int, jpeg: Bool) throws {
        var message = [CChar](repeating: 0, count: 256)
        let status = jpeg
            ? genlab_jpeg_encode(path, pixels, Int32(width), Int32(height), Int32(channels), 95, &message, message.count)
            : genlab_png_encode(path, pixels, Int32(width), Int32(height), Int32(channels), &message, message.count)
        guard status == 0 else { throw DataError(.corrupt, String(cString: message), path: path) }
    }
}
