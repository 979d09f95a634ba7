import CImageCodecs
import Foundation
import Glibc
import GenLabCore

/// Images laid out in a grid as torchvision's `make_grid` does (`columns` per row, `padding`
/// pixels around each, the gaps filled with `padValue`), as 8-bit pixels ready for a PNG.
public struct ImageGrid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// 1 (grey) or 3 (RGB).
    public let channels: Int
    /// Rows of width·channels bytes, top row first.
    public private(set) var pixels: [UInt8]

    /// The most pixels a grid holds (about 16 MB of bytes): more is a picture no one asked for.
    public static let maxPixels = 1 << 24

    /// - Parameters:
    ///   - images: N × C × H × W values on the pixel scale [0, 1] (clamped), C 1 or 3.
    ///   - shape: [N, C, H, W].
    /// - Throws: a `.mismatch` error (without a path: the caller names the file the images
    ///   came from) when `shape` is not of that form, does not match the values, or makes a
    ///   grid of more than `maxPixels` pixels.
    public init(images: [Float], shape: [Int], columns: Int, padding: Int = 2, padValue: Float = 1) throws(DataError) {
        guard shape.count == 4, [1, 3].contains(shape[1]), shape.allSatisfy({ $0 >= 0 }), shape[0] > 0, columns > 0, padding >= 0,
              shape[2] > 0, shape[3] > 0, shape[2] <= ImageGrid.maxPixels, shape[3] <= ImageGrid.maxPixels,
              shape[0] <= ImageGrid.maxPixels / (shape[2] * shape[3]),
              images.count == shape.reduce(1, *) else {
            throw DataError(.mismatch, "images of shape \(shape) (\(images.count) values) cannot be drawn as a grid: N × C × H × W with N ≥ 1, C 1 or 3, at most \(ImageGrid.maxPixels) pixels", path: "")
        }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let cols = min(columns, max(n, 1)), rows = (n + cols - 1) / cols
        width = cols * (w + padding) + padding
        height = rows * (h + padding) + padding
        guard width <= ImageGrid.maxPixels / height else {
            throw DataError(.mismatch, "a grid of \(width) × \(height) pixels is larger than \(ImageGrid.maxPixels) pixels", path: "")
        }
        channels = c
        pixels = [UInt8](repeating: ImageGrid.byte(padValue), count: width * height * c)
        for k in 0..<n {
            let top = (k / cols) * (h + padding) + padding, left = (k % cols) * (w + padding) + padding
            for y in 0..<h {
                for x in 0..<w {
                    for ch in 0..<c {
                        pixels[((top + y) * width + left + x) * c + ch] = ImageGrid.byte(images[((k * c + ch) * h + y) * w + x])
                    }
                }
            }
        }
    }

    /// torchvision's `save_image` conversion: x·255 + 0.5, clamped to [0, 255], truncated.
    static func byte(_ value: Float) -> UInt8 {
        UInt8(max(0, min(255, value * 255 + 0.5)))
    }

    /// The grid as PNG bytes.
    public func png() throws(DataError) -> [UInt8] {
        var message = [CChar](repeating: 0, count: 256)
        var bytes: UnsafeMutablePointer<UInt8>?
        var size = 0
        guard genlab_png_encode_to_memory(pixels, Int32(width), Int32(height), Int32(channels), &bytes, &size, &message, message.count) == 0,
              let bytes else {
            throw DataError(.unwritable, "cannot encode the image: \(String(cString: message))", path: "")
        }
        defer { free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    /// Writes the grid as a PNG file at `path`, atomically (`DurableWrite`: under a name of
    /// this writer's own, then renamed; a symbolic link at `path` is replaced, not followed).
    public func writePNG(to path: String) throws(DataError) {
        var bytes: [UInt8]
        do { bytes = try png() } catch { throw DataError(error.reason, error.message, path: path) }
        do { try DurableWrite.replace(path, with: bytes) } catch {
            throw DataError(.unwritable, "cannot write the image: \(error.message)", path: path)
        }
    }
}
