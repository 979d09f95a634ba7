// BatchNorm over N × C × P. Sums run in eight double lanes per channel plane (vectorised
// without reassociation, so every CPU adds in the same order), combined pairwise. Planes of
// one value (BatchNorm1d) run across channels instead.
#include "batchnorm.h"
#include "clones.h"

/// x̂ of one value, computed the same way wherever it is needed, so that backward, which
/// recomputes it from the input instead of keeping a copy, sees the bits forward used.
#define NORMALIZED(value, mu, s) (((value) - (mu)) * (s))

/// Σ f(p[q]) over q < n in eight lanes.
#define LANE_SUM(n, term)                                                                  \
    ({                                                                                     \
        double lanes_[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                        \
        long q = 0;                                                                        \
        for (; q + 8 <= (n); q += 8) {                                                     \
            for (int k_ = 0; k_ < 8; k_++) { long i = q + k_; lanes_[k_] += (term); }       \
        }                                                                                  \
        double tail_ = 0;                                                                  \
        for (long i = q; i < (n); i++) tail_ += (term);                                    \
        ((lanes_[0] + lanes_[1]) + (lanes_[2] + lanes_[3])) + ((lanes_[4] + lanes_[5]) + (lanes_[6] + lanes_[7])) + tail_; \
    })

CLONES void genlab_batchnorm_moments(const float *x, long batch, long channels, long plane, long first, long count, double *mean,
                                     double *squares) {
    double m = (double)(batch * plane);
    if (plane == 1) {
        for (long c = first; c < first + count; c++) mean[c] = squares[c] = 0;
        for (long n = 0; n < batch; n++) {
            for (long c = first; c < first + count; c++) mean[c] += (double)x[n * channels + c];
        }
        for (long c = first; c < first + count; c++) mean[c] /= m;
        for (long n = 0; n < batch; n++) {
            for (long c = first; c < first + count; c++) {
                double d = (double)x[n * channels + c] - mean[c];
                squares[c] += d * d;
            }
        }
        return;
    }
    for (long c = first; c < first + count; c++) {
        double sum = 0;
        for (long n = 0; n < batch; n++) {
            const float *p = x + (n * channels + c) * plane;
            sum += LANE_SUM(plane, (double)p[i]);
        }
        double mu = sum / m, total = 0;
        for (long n = 0; n < batch; n++) {
            const float *p = x + (n * channels + c) * plane;
            total += LANE_SUM(plane, ((double)p[i] - mu) * ((double)p[i] - mu));
        }
        mean[c] = mu;
        squares[c] = total;
    }
}

CLONES void genlab_batchnorm_normalize(const float *x, long batch, long channels, long plane, long first, long count, const float *mean,
                                       const float *inverse_std, const float *weight, const float *bias, float *y) {
    for (long n = 0; n < batch; n++) {
        for (long c = first; c < first + count; c++) {
            long offset = (n * channels + c) * plane;
            float mu = mean[c], s = inverse_std[c], w = weight[c], b = bias[c];
            for (long q = 0; q < plane; q++) y[offset + q] = NORMALIZED(x[offset + q], mu, s) * w + b;
        }
    }
}

CLONES void genlab_batchnorm_gradient_sums(const float *gradient, const float *x, long batch, long channels, long plane,
                                           long first, long count, const float *mean, const float *inverse_std, double *sum,
                                           double *sum_product) {
    for (long c = first; c < first + count; c++) sum[c] = sum_product[c] = 0;
    if (plane == 1) {
        for (long n = 0; n < batch; n++) {
            for (long c = first; c < first + count; c++) {
                double g = (double)gradient[n * channels + c];
                sum[c] += g;
                sum_product[c] += g * (double)NORMALIZED(x[n * channels + c], mean[c], inverse_std[c]);
            }
        }
        return;
    }
    for (long c = first; c < first + count; c++) {
        float mu = mean[c], s = inverse_std[c];
        for (long n = 0; n < batch; n++) {
            const float *g = gradient + (n * channels + c) * plane, *h = x + (n * channels + c) * plane;
            sum[c] += LANE_SUM(plane, (double)g[i]);
            sum_product[c] += LANE_SUM(plane, (double)g[i] * (double)NORMALIZED(h[i], mu, s));
        }
    }
}

CLONES void genlab_batchnorm_input_gradient(const float *gradient, const float *x, long batch, long channels, long plane, long first,
                                            long count, const float *mean, const float *inverse_std, const float *scale,
                                            const float *mean_g, const float *mean_product, float *dx) {
    for (long n = 0; n < batch; n++) {
        for (long c = first; c < first + count; c++) {
            long offset = (n * channels + c) * plane;
            float mu = mean[c], is = inverse_std[c], s = scale[c], mg = mean_g[c], mp = mean_product[c];
            for (long q = 0; q < plane; q++) {
                dx[offset + q] = s * (gradient[offset + q] - mg - NORMALIZED(x[offset + q], mu, is) * mp);
            }
        }
    }
}
