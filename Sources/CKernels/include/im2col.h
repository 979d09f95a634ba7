// im2col and its adjoint over a batch, with AVX-512 rows where the CPU has them.
#ifndef GENLAB_IM2COL_H
#define GENLAB_IM2COL_H

/// The geometry of a convolution's input side: C × H × W images, a kernel of kh × kw taps,
/// stride and zero padding; OH × OW outputs with OH = (H + 2p − kh) / s + 1.
typedef struct {
    long channels, height, width, kernel_height, kernel_width, stride, padding;
    long output_height, output_width;
} genlab_conv_geometry;

/// Fills `columns` (C·kh·kw rows × batch·OH·OW) from `images` (batch × C × H × W): row
/// (c·kh + i)·kw + j, column n·OH·OW + y·OW + x holds the pixel tap (i, j) of output (y, x)
/// reads, 0 in the padding; only for the image channels (c, n) numbered c·batch + n in
/// [first, first + count), so that threads can share the work. `scratch` holds
/// genlab_im2col_scratch(geometry) floats.
void genlab_im2col_unfold(const float *images, long batch, long first, long count, const genlab_conv_geometry *geometry,
                          float *columns, float *scratch);

/// Sets `images` to the adjoint of unfold applied to `columns`: each pixel gets the sum of
/// the column entries unfold would have read from it, added in tap order; only the image
/// channels (c, n) numbered c·batch + n in [first, first + count). `scratch` holds
/// genlab_im2col_scratch(geometry) floats.
void genlab_im2col_fold(const float *columns, long batch, long first, long count, const genlab_conv_geometry *geometry,
                        float *images, float *scratch);

/// Floats of scratch both need: one zero-bordered channel, (H + 2p)·(W + 2p).
long genlab_im2col_scratch(const genlab_conv_geometry *geometry);

/// Whether the AVX-512 and AVX2 paths may run where the CPU has them (they do by default);
/// returns the previous setting. For tests that compare the widest path with the portable one.
int genlab_im2col_allow_vectors(int allow);

#endif
