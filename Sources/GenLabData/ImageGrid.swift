import CImageCodecs
import Foundation
import Glibc

/// Images laid out in a grid as torchvision's `make_grid` does (`columns` per row, `padding`
/// pixels around each, the gaps filled with `padValue`), as 8-bit pixels ready for a PNG.
public struct ImageGrid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// 1 (grey) or 3 (RGB).
    public let channels: Int
    /// Rows of width·channels bytes, top row first.
    public private(set) var pixels: [UInt8]

    /// - Parameters:
    ///   - images: N × C × H × W values on the pixel scale [0, 1] (clamped), C 1 or 3.
    ///   - shape: [N, C, H, W].
    public init(images: [Float], shape: [Int], columns: Int, padding: Int = 2, padValue: Float = 1) {
        precondition(shape.count == 4 && [1, 3].contains(shape[1]) && images.count == shape.reduce(1, *) && columns > 0)
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let cols = min(columns, max(n, 1)), rows = (n + cols - 1) / cols
        width = cols * (w + padding) + padding
        height = rows * (h + padding) + padding
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

    /// Writes the grid as a PNG file at `path`, atomically (beside it, then renamed).
    public func writePNG(to path: String) throws(DataError) {
        var message = [CChar](repeating: 0, count: 256)
        let temporary = path + ".tmp"
        guard genlab_png_encode(temporary, pixels, Int32(width), Int32(height), Int32(channels), &message, message.count) == 0 else {
            unlink(temporary)
            throw DataError(.unwritable, "cannot write the image: \(String(cString: message))", path: path)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw DataError(.unwritable, "cannot write the image: \(reason)", path: path)
        }
    }
}
