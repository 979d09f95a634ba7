import GenLabSpec
import GenLabTensor

/// Bytes → network inputs for one normalisation: a 256-entry table per channel, so a batch
/// converts with one lookup per pixel.
public struct PixelTransform: Sendable {
    /// table[c·256 + byte]
    let table: [Float]
    public let channels: Int
    /// value = pixel·scale[c] + offset[c], pixel in [0, 1]: the inverse for recording.
    public let scale: [Float]
    public let offset: [Float]

    public init(_ normalization: DatasetSpec.Normalization, channels: Int) {
        self.channels = channels
        var table = [Float](repeating: 0, count: channels * 256)
        for c in 0..<channels {
            for b in 0..<256 {
                let x = Double(b) / 255
                let value: Double
                switch normalization {
                case .unit: value = x
                case .symmetric: value = Double(b) / 127.5 - 1
                case .meanStd(let mean, let std): value = (x - mean[c]) / std[c]
                }
                table[c * 256 + b] = Float(value)
            }
        }
        self.table = table
        switch normalization {
        case .unit: (scale, offset) = ([Float](repeating: 1, count: channels), [Float](repeating: 0, count: channels))
        case .symmetric: (scale, offset) = ([Float](repeating: 2, count: channels), [Float](repeating: -1, count: channels))
        case .meanStd(let mean, let std):
            scale = std.map { Float(1 / $0) }
            offset = zip(mean, std).map { Float(-$0 / $1) }
        }
    }

    /// Network-space images (N × C × …) back on the pixel scale [0, 1] (not clamped).
    public func pixelScale(_ images: Tensor) -> [Float] {
        let n = images.shape[0], plane = images.count / max(n * channels, 1)
        var result = images.values
        for i in 0..<n {
            for c in 0..<channels {
                let base = (i * channels + c) * plane
                for q in 0..<plane { result[base + q] = (result[base + q] - offset[c]) / scale[c] }
            }
        }
        return result
    }

    /// The value of one byte of channel `c`.
    public func value(_ byte: UInt8, channel c: Int) -> Float { table[c * 256 + Int(byte)] }

    /// Converts `images` (count × C × plane bytes) into `target`.
    public func apply(_ images: UnsafeBufferPointer<UInt8>, count: Int, plane: Int, into target: UnsafeMutablePointer<Float>) {
        table.withUnsafeBufferPointer { t in
            for n in 0..<count {
                for c in 0..<channels {
                    let offset = (n * channels + c) * plane
                    let lookup = t.baseAddress! + c * 256
                    for q in 0..<plane { target[offset + q] = lookup[Int(images[offset + q])] }
                }
            }
        }
    }
}
