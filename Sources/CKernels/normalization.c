// See normalization.h.
#include "normalization.h"
#include <math.h>
#include "clones.h"
#include "lane_sum.h"

CLONES void genlab_moments(const float *x, long count, float eps, float *mean, float *inverse_std) {
#define VALUE(i) x[i]
    float m = (float)(LANE_SUM(count, VALUE) / (double)count);
#define SQUARE(i) ((x[i] - m) * (x[i] - m))
    double squares = LANE_SUM(count, SQUARE);
    *mean = m;
    *inverse_std = (float)(1 / sqrt(squares / (double)count + eps));
#undef VALUE
#undef SQUARE
}

CLONES void genlab_gradient_sums(const float *x, const float *g, long count, float mean, float inverse_std, double *sum,
                                 double *sum_product) {
#define GRADIENT(i) g[i]
#define PRODUCT(i) (g[i] * ((x[i] - mean) * inverse_std))
    *sum = LANE_SUM(count, GRADIENT);
    *sum_product = LANE_SUM(count, PRODUCT);
#undef GRADIENT
#undef PRODUCT
}

static inline __attribute__((always_inline)) void gradient_in_place(const float *restrict x, float *restrict g, long count,
                                                                    float mean, float is, float w, float a, float d) {
    for (long i = 0; i < count; i++) g[i] = is * (g[i] * w - a - (x[i] - mean) * is * d);
}

static inline __attribute__((always_inline)) void gradient_apart(const float *restrict x, const float *restrict g,
                                                                 float *restrict dx, long count, float mean, float is, float w,
                                                                 float a, float d) {
    for (long i = 0; i < count; i++) dx[i] = is * (g[i] * w - a - (x[i] - mean) * is * d);
}

CLONES void genlab_standardized_gradient(const float *x, const float *g, float *dx, long count, float mean, float inverse_std,
                                         float weight, float mean_dxhat, float mean_dot) {
    if (dx == g) gradient_in_place(x, dx, count, mean, inverse_std, weight, mean_dxhat, mean_dot);
    else gradient_apart(x, g, dx, count, mean, inverse_std, weight, mean_dxhat, mean_dot);
}
