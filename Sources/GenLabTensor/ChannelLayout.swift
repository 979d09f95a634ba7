/// Moves batches between the image layout N × C × P (P = pixels per channel) and the
/// channel-major layout C × (N·P) that one sgemm over the whole batch reads and writes.
public enum ChannelLayout {
    /// `target[c][n·P + q] = source[n][c][q]`.
    public static func toChannelMajor(
        _ source: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
        into target: UnsafeMutablePointer<Float>
    ) {
        let rowLength = batch * plane
        for n in 0..<batch {
            for c in 0..<channels {
                (target + c * rowLength + n * plane).update(
                    from: source + (n * channels + c) * plane, count: plane)
            }
        }
    }

    /// `target[n][c][q] = source[c][n·P + q] + bias[c]` (no bias when `bias` is nil).
    public static func toImages(
        _ source: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
        bias: UnsafePointer<Float>?, into target: UnsafeMutablePointer<Float>
    ) {
        let rowLength = batch * plane
        for n in 0..<batch {
            for c in 0..<channels {
                let from = source + c * rowLength + n * plane
                let to = target + (n * channels + c) * plane
                if let bias {
                    let b = bias[c]
                    for q in 0..<plane { to[q] = from[q] + b }
                } else {
                    to.update(from: from, count: plane)
                }
            }
        }
    }

    /// `images[n][c][q] += bias[c]`: a convolution's bias, in the image layout.
    public static func addBias(
        _ bias: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
        to images: UnsafeMutablePointer<Float>
    ) {
        for n in 0..<batch {
            for c in 0..<channels {
                let p = images + (n * channels + c) * plane, b = bias[c]
                for q in 0..<plane { p[q] += b }
            }
        }
    }

    /// `sums[c] += Σ_n Σ_q images[n][c][q]`: the bias gradient of a convolution.
    public static func accumulateChannelSums(
        _ images: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
        into sums: UnsafeMutablePointer<Float>
    ) {
        for c in 0..<channels {
            var total: Float = 0
            for n in 0..<batch {
                let p = images + (n * channels + c) * plane
                for q in 0..<plane { total += p[q] }
            }
            sums[c] += total
        }
    }
}
