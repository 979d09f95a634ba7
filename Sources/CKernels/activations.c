// See activations.h.
#include "activations.h"
#include <string.h>
#include "clones.h"

static inline __attribute__((always_inline)) float exp_lanes(float x) {
    x = x < -87.3f ? -87.3f : x;
    x = x > 88.7f ? 88.7f : x;
    // n = round(x·log₂e) by adding 1.5·2²³, which also leaves n in the low bits
    const float magic = 12582912.0f;
    float shifted = x * 1.44269504088896341f + magic;
    float n = shifted - magic;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1;
    int bits, magic_bits;
    memcpy(&bits, &shifted, 4);
    memcpy(&magic_bits, &magic, 4);
    int exponent = (bits - magic_bits + 127) << 23;
    float scale;
    memcpy(&scale, &exponent, 4);
    return p * scale;
}

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

static inline __attribute__((always_inline)) void tanh_in_place(float *restrict y, long count) {
    for (long i = 0; i < count; i++) y[i] = tanh_lanes(y[i]);
}

static inline __attribute__((always_inline)) void tanh_apart(const float *restrict x, float *restrict y, long count) {
    for (long i = 0; i < count; i++) y[i] = tanh_lanes(x[i]);
}

CLONES void genlab_tanh_forward(const float *x, float *y, long count) {
    if (y == x) tanh_in_place(y, count); else tanh_apart(x, y, count);
}

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
