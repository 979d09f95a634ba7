// Winograd's minimal filtering F(2×2, 5×5) and F(4×4, 3×3) for stride-1 convolutions with a
// 5×5 or 3×3 kernel (interpolation points 0, ±1, ±2 and ∞: Lavin and Gray, "Fast Algorithms
// for Convolutional Neural Networks", 2016): the kernels and the input's 6 × 6 tiles
// transformed to 36 points, one product per point, each tile's 2 × 2 or 4 × 4 outputs
// transformed back. On CPUs with AVX2 and FMA.
//
// Layouts, for C input channels, K outputs (rounded up to Kp, a multiple of 16, with zeros):
//   u[ξ][Kp/16][C][16]     the kernels at point ξ = 6·a + b, sixteen outputs to a block
//   images, channels last  the input zero-padded to (o·tiles_y + 6 − o) × (o·tiles_x + 6 − o)
//                          pixels, o = 2 (5 taps) or 4 (3 taps) outputs a tile side
//   v[ξ][slot][C], m[ξ][slot][Kp]  a group's input and products, one slot a tile
#ifndef GENLAB_WINOGRAD_H
#define GENLAB_WINOGRAD_H

enum {
    GENLAB_WINOGRAD_OUTPUT_BLOCK = 16,  // Kp is a multiple of it
    GENLAB_WINOGRAD_SLOT_BLOCK = 6,     // a group's slots are a multiple of it
};

/// Whether the CPU runs these kernels (AVX2 and FMA).
int genlab_winograd_available(void);

/// One pass's shape: `images` images of in_channels × height × width, zero-padded by
/// `padding`, into out_channels × out_height × out_width (out = in + 2·padding − taps + 1) by
/// a kernel of taps × taps (5 or 3), tiles_y × tiles_x tiles an image (tile t = (n·tiles_y +
/// y)·tiles_x + x reads the padded pixels from (o·y, o·x)), run in groups of `group` tiles (a
/// multiple of the slot block).
typedef struct {
    long images, in_channels, height, width, padding, out_channels, out_height, out_width, taps, tiles_y, tiles_x, group;
} genlab_winograd_shape;

/// u for the input channels [first, first + count): (G·w_kc·Gᵀ), where w_kc is weight[k][c]
/// (K × C × taps × taps) or, when `transposed`, weight[c][k] (C × K × taps × taps), rotated by 180°
/// when `flipped`.
void genlab_winograd_weights(const genlab_winograd_shape *shape, const float *weight, int transposed, int flipped,
                             long first, long count, float *u);

/// The padded channels-last copy of the images [first, first + count) of `images` (NCHW).
void genlab_winograd_pad(const genlab_winograd_shape *shape, const float *images, long first, long count, float *padded);

/// The output (NCHW) of the groups [first, first + count) from the padded input and `u`,
/// each group's transformed input and products in `workspace` (genlab_winograd_workspace
/// floats), which stays in the core's cache.
void genlab_winograd_correlate(const genlab_winograd_shape *shape, const float *padded, const float *u, long first,
                               long count, float *output, float *workspace);

/// Floats of workspace one call of genlab_winograd_correlate needs.
long genlab_winograd_workspace(const genlab_winograd_shape *shape);

#endif
