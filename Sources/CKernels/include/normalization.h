// GroupNorm's and LayerNorm's loops over rows of consecutive values, compiled for AVX-512,
// AVX2 and the baseline, picked at load time: sums in sixteen float lanes, added up in double.
#ifndef GENLAB_NORMALIZATION_H
#define GENLAB_NORMALIZATION_H

/// The mean and 1/√(var + eps) (biased variance, two passes) of `x[0..<count]`.
void genlab_moments(const float *x, long count, float eps, float *mean, float *inverse_std);

/// Σ g and Σ g·x̂ over `count` values, x̂ = (x − mean)·inverse_std.
void genlab_gradient_sums(const float *x, const float *g, long count, float mean, float inverse_std, double *sum,
                          double *sum_product);

/// dx = inverse_std·(g·weight − mean_dxhat − x̂·mean_dot) over `count` values; dx may be g.
void genlab_standardized_gradient(const float *x, const float *g, float *dx, long count, float mean, float inverse_std,
                                  float weight, float mean_dxhat, float mean_dot);

#endif
