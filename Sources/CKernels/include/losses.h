// The element loops of losses whose terms call a logarithm, compiled for AVX-512, for AVX2 and
// for the baseline, picked at load time: ln as in lane_math.h (Cephes' logf, within 2 ulp of
// logf), so each loop vectorises.
#ifndef GENLAB_LOSSES_H
#define GENLAB_LOSSES_H

/// Σ −(t·max(ln x, −100) + (1 − t)·max(ln(1 − x), −100)) over count values (PyTorch's
/// binary_cross_entropy terms, each logarithm clamped at −100), each term in float, summed in
/// eight double lanes in a fixed order (the same bits on every CPU). A NaN in x or t, or an x
/// outside [0, 1], gives NaN.
double genlab_bce_sum(const float *x, const float *t, long count);

#endif
