// Bias gradients, compiled for AVX-512, AVX2 and the baseline, picked at load time: a
// convolution's, the sum of each channel of a batch of images (each image's plane summed in
// sixteen float lanes, the planes added up in double); a linear layer's, the sum of each
// column of a batch of rows (row after row, in float, as PyTorch sums a gradient over dim 0).
#ifndef GENLAB_CHANNEL_SUMS_H
#define GENLAB_CHANNEL_SUMS_H

/// sums[c] += Σ_n Σ_q images[n][c][q] over `batch` images of `channels` planes of `plane` values.
void genlab_accumulate_channel_sums(const float *images, long batch, long channels, long plane, float *sums);

/// sums[j] += g[0][j], then += g[1][j], … for `rows` rows of `columns` values, each column in
/// row order.
void genlab_accumulate_column_sums(const float *g, long rows, long columns, float *sums);

#endif
