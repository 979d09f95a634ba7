import GenLabSpec
import GenLabTensor

/// Bytes → network inputs for one normalisation: a 256-entry table per channel, so a batch
/// converts with one lookup per pixel.
public struct PixelTransform: Sendable {
    /// table[c·256 + byte]
    let table: [Float]
    public let channels: Int

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
