// See activations.h.
#include "activations.h"
#include "clones.h"
#include "lane_math.h"

static inline __attribute__((always_inline)) float erf_lanes(float x) {
    float a = x < 0 ? -x : x;
    float t = 1 / (1 + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    float y = 1 - p * t * exp_lanes(-a * a);
    return x < 0 ? -y : y;
}

// Each backward loop runs over restrict pointers: in place (dx is g) through one pointer,
// else through two, so that either vectorises.
#define BACKWARD(name, derivative, ...)                                                                            \
    static inline __attribute__((always_inline)) void name##_in_place(const float *restrict x, float *restrict g,  \
                                                                      long count, ##__VA_ARGS__) {                \
        for (long i = 0; i < count; i++) g[i] = g[i] * (derivative);                                              \
    }                                                                                                              \
    static inline __attribute__((always_inline)) void name##_apart(const float *restrict x, const float *restrict g, \
                                                                   float *restrict dx, long count, ##__VA_ARGS__) { \
        for (long i = 0; i < count; i++) dx[i] = g[i] * (derivative);                                             \
    }

static inline __attribute__((always_inline)) float silu_derivative(float x) {
    float s = 1 / (1 + exp_lanes(-x));
    return s * (1 + x * (1 - s));
}

static inline __attribute__((always_inline)) float gelu_derivative(float x) {
    float cdf = 0.5f * (1 + erf_lanes(x * 0.70710678118654752f));
    return cdf + x * exp_lanes(-0.5f * x * x) * 0.39894228040143268f;
}

BACKWARD(silu, silu_derivative(x[i]))
BACKWARD(elu, x[i] > 0 ? 1.0f : alpha * exp_lanes(x[i]), float alpha)
BACKWARD(gelu, gelu_derivative(x[i]))

CLONES void genlab_silu_forward(const float *restrict x, float *restrict y, long count) {
    for (long i = 0; i < count; i++) y[i] = x[i] / (1 + exp_lanes(-x[i]));
}

CLONES void genlab_silu_backward(const float *x, const float *g, float *dx, long count) {
    if (dx == g) silu_in_place(x, dx, count); else silu_apart(x, g, dx, count);
}

CLONES void genlab_elu_forward(const float *restrict x, float *restrict y, long count, float alpha) {
    for (long i = 0; i < count; i++) y[i] = x[i] > 0 ? x[i] : alpha * (exp_lanes(x[i]) - 1);
}

CLONES void genlab_elu_backward(const float *x, const float *g, float *dx, long count, float alpha) {
    if (dx == g) elu_in_place(x, dx, count, alpha); else elu_apart(x, g, dx, count, alpha);
}

CLONES void genlab_gelu_forward(const float *restrict x, float *restrict y, long count) {
    for (long i = 0; i < count; i++) y[i] = x[i] * 0.5f * (1 + erf_lanes(x[i] * 0.70710678118654752f));
}

CLONES void genlab_gelu_backward(const float *x, const float *g, float *dx, long count) {
    if (dx == g) gelu_in_place(x, dx, count); else gelu_apart(x, g, dx, count);
}

// Cephes' tanhf: an odd polynomial below |x| = 0.625, 1 − 2/(e^{2|x|} + 1) above, blended.
static inline __attribute__((always_inline)) float tanh_lanes(float x) {
    float a = x < 0 ? -x : x, z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z -
                   3.33332819422e-1f) * z * x + x;
    float large = 1 - 2 / (exp_lanes(a + a) + 1);
    large = x < 0 ? -large : large;
    return a < 0.625f ? small : large;
}

// Each forward loop that may run in place, over restrict pointers: in place through one
// pointer, else through two, so that either vectorises.
#define IN_PLACE_FORWARD(name, value)                                                                              \
    static inline __attribute__((always_inline)) void name##_in_place(float *restrict y, long count) {             \
        for (long i = 0; i < count; i++) y[i] = value(y[i]);                                                       \
    }                                                                                                              \
    static inline __attribute__((always_inline)) void name##_apart(const float *restrict x, float *restrict y,     \
                                                                   long count) {                                   \
        for (long i = 0; i < count; i++) y[i] = value(x[i]);                                                       \
    }                                                                                                              \
    CLONES void genlab_##name##_forward(const float *x, float *y, long count) {                                    \
        if (y == x) name##_in_place(y, count); else name##_apart(x, y, count);                                     \
    }

// σ(x) = 1 / (1 + e^{−x}); below −88.7, where e^{−x} overflows float, 0 as PyTorch's formula gives.
static inline __attribute__((always_inline)) float sigmoid_lanes(float x) {
    return x < -88.7f ? 0 : 1 / (1 + exp_lanes(-x));
}

IN_PLACE_FORWARD(tanh, tanh_lanes)
IN_PLACE_FORWARD(sigmoid, sigmoid_lanes)

static inline __attribute__((always_inline)) void add_in_place(float *restrict a, const float *restrict b, long count) {
    for (long i = 0; i < count; i++) a[i] += b[i];
}

static inline __attribute__((always_inline)) void add_apart(const float *restrict a, const float *restrict b,
                                                            float *restrict sum, long count) {
    for (long i = 0; i < count; i++) sum[i] = a[i] + b[i];
}

CLONES void genlab_add(const float *a, const float *b, float *sum, long count) {
    if (sum == a) add_in_place(sum, b, count); else add_apart(a, b, sum, count);
}
