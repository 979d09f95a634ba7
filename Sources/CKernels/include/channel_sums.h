// A convolution's bias gradient: the sum of each channel of a batch of images, compiled for
// AVX-512, AVX2 and the baseline, picked at load time; each image's plane summed in sixteen
// float lanes, the planes added up in double.
#ifndef GENLAB_CHANNEL_SUMS_H
#define GENLAB_CHANNEL_SUMS_H

/// sums[c] += Σ_n Σ_q images[n][c][q] over `batch` images of `channels` planes of `plane` values.
void genlab_accumulate_channel_sums(const float *images, long batch, long channels, long plane, float *sums);

#endif
