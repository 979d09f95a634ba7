import CKernels

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

    /// `target[n][c][q] = r(source[c][n·P + q] + bias[c])`, without the bias when `bias` is
    /// nil and without `r` when `rectifier` is nil.
    public static func toImages(
        _ source: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
        bias: UnsafePointer<Float>?, rectifier: Rectifier? = nil, into target: UnsafeMutablePointer<Float>
    ) {
        let rowLength = batch * plane
        for n in 0..<batch {
            for c in 0..<channels {
                copy(source + c * rowLength + n * plane, to: target + (n * channels + c) * plane, count: plane,
                     bias: bias?[c], rectifier: rectifier)
            }
        }
    }

    /// `to[q] = r(from[q] + bias)` for one channel's plane; `from` may be `to`.
    private static func copy(_ from: UnsafePointer<Float>, to: UnsafeMutablePointer<Float>, count: Int,
                             bias: Float?, rectifier: Rectifier?) {
        switch (bias, rectifier) {
        case (_, let r?): r.apply(from, bias: bias, into: to, count: count)
        case (let b?, nil): for q in 0..<count { to[q] = from[q] + b }
        case (nil, nil): if from != to { to.update(from: from, count: count) }
        }
    }

    /// `images[n][c][q] = r(images[n][c][q] + bias[c])`: a convolution's bias and the
    /// rectifier after it, in the image layout, in one pass (each left out when nil; nothing
    /// to do when both are).
    public static func finish(
        _ images: UnsafeMutablePointer<Float>, batch: Int, channels: Int, plane: Int,
        bias: UnsafePointer<Float>?, rectifier: Rectifier?
    ) {
        guard bias != nil || rectifier != nil else { return }
        for n in 0..<batch {
            for c in 0..<channels {
                let p = images + (n * channels + c) * plane
                copy(p, to: p, count: plane, bias: bias?[c], rectifier: rectifier)
            }
        }
    }

    /// `sums[c] += Σ_n Σ_q images[n][c][q]`: the bias gradient of a convolution (each plane
    /// summed in sixteen float lanes, the planes in double: `channel_sums.h`).
    public static func accumulateChannelSums(
        _ images: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
        into sums: UnsafeMutablePointer<Float>
    ) {
        genlab_accumulate_channel_sums(images, batch, channels, plane, sums)
    }
}
