import CKernels

/// Unfolding images into the column matrix of a convolution over the whole batch, and its
/// adjoint.
///
/// Layout of the column matrix: row `(c·kh + i)·kw + j` (one per kernel tap), column
/// `n·P + oh·OW + ow` (one per output position of every image), P = OH·OW. With it a
/// convolution of the whole batch is one sgemm: W (O × C·kh·kw) · cols (C·kh·kw × N·P).
///
/// Both are C kernels (`CKernels/im2col.c`): one image channel at a time through a
/// zero-bordered copy, each output row one or two masked AVX-512 operations where the CPU
/// has them, plain loops elsewhere, with the same results. The image channels are shared
/// among `BLAS.threads` threads (`ParallelRanges`).
public enum Im2Col {
    /// Fills `columns` (patchSize × batch·P) from `images` (batch × C × H × W).
    public static func unfold(
        _ images: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
        into columns: UnsafeMutablePointer<Float>
    ) {
        ParallelRanges.forEach(batch * g.channels) { part in
            withKernelGeometry(g) { geometry, scratch in
                genlab_im2col_unfold(images, batch, part.lowerBound, part.count, geometry, columns, scratch)
            }
        }
    }

    /// Sets `images` (batch × C × H × W) to the sum, over every kernel tap, of the column
    /// entries that `unfold` would have read from each pixel: the adjoint of `unfold`.
    /// Each pixel's terms are added in tap order.
    public static func fold(
        _ columns: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
        into images: UnsafeMutablePointer<Float>
    ) {
        ParallelRanges.forEach(batch * g.channels) { part in
            withKernelGeometry(g) { geometry, scratch in
                genlab_im2col_fold(columns, batch, part.lowerBound, part.count, geometry, images, scratch)
            }
        }
    }

    /// The C geometry and a scratch channel for it.
    private static func withKernelGeometry(
        _ g: ConvGeometry, _ body: (UnsafePointer<genlab_conv_geometry>, UnsafeMutablePointer<Float>) -> Void
    ) {
        var geometry = genlab_conv_geometry(
            channels: g.channels, height: g.height, width: g.width, kernel_height: g.kernelHeight,
            kernel_width: g.kernelWidth, stride: g.stride, padding: g.padding,
            output_height: g.outputHeight, output_width: g.outputWidth)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: genlab_im2col_scratch(&geometry))
        defer { scratch.deallocate() }
        body(&geometry, scratch)
    }
}
