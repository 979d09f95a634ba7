// BatchNorm's loops over N × C × P activations (P = 1 for BatchNorm1d on N × C), compiled
// for AVX-512, AVX2 and the baseline, picked at load time; sums in double, one fixed order.
// Each works on the channels [first, first + count) only, so that threads can share them.
#ifndef GENLAB_BATCHNORM_H
#define GENLAB_BATCHNORM_H

/// Per channel: `mean[c]` and the sum of squared deviations from it, `squares[c]`, over
/// the batch and the plane (two passes, in double).
void genlab_batchnorm_moments(const float *x, long batch, long channels, long plane, long first, long count, double *mean,
                              double *squares);

/// y = x̂·weight[c] + bias[c], where x̂ = (x − mean[c])·inverse_std[c].
void genlab_batchnorm_normalize(const float *x, long batch, long channels, long plane, long first, long count, const float *mean,
                                const float *inverse_std, const float *weight, const float *bias, float *y);

/// Per channel: Σ g and Σ g·x̂ (in double), x̂ recomputed from x, mean and inverse_std as
/// the forward pass computed it.
void genlab_batchnorm_gradient_sums(const float *gradient, const float *x, long batch, long channels, long plane,
                                    long first, long count, const float *mean, const float *inverse_std, double *sum,
                                    double *sum_product);

/// dx = scale[c]·(g − mean_g[c] − x̂·mean_product[c]), x̂ recomputed likewise; dx may be the
/// storage of g (each value is read before it is written).
void genlab_batchnorm_input_gradient(const float *gradient, const float *x, long batch, long channels, long plane, long first,
                                     long count, const float *mean, const float *inverse_std, const float *scale,
                                     const float *mean_g, const float *mean_product, float *dx);

#endif
