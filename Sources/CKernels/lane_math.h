// eˣ and ln x for loops that must vectorise: branch-free, no libm call, the same bits on every
// clone (no contraction, see clones.h). eˣ after Cephes' expf (a degree-6 polynomial on
// [−½ ln 2, ½ ln 2] times a power of two; within 2 ulp of expf on [−87.3, 88.7], clamped
// outside); ln x after Cephes' logf (the mantissa in [√½, √2), a degree-8 polynomial of m − 1;
// within 2 ulp of logf for every positive float, subnormals included; 0 → −∞, +∞ → +∞,
// negative or NaN → NaN).
#ifndef GENLAB_LANE_MATH_H
#define GENLAB_LANE_MATH_H

#include <string.h>

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

static inline __attribute__((always_inline)) float log_lanes(float x) {
    // a subnormal scaled into the normal range first, its exponent corrected after
    int subnormal = x < 1.17549435e-38f;
    float normal = subnormal ? x * 8388608.0f : x;
    int bits;
    memcpy(&bits, &normal, 4);
    int exponent = ((bits >> 23) & 0xff) - 126 - (subnormal ? 23 : 0);
    bits = (bits & 0x007fffff) | 0x3f000000; // the mantissa in [½, 1)
    float m;
    memcpy(&m, &bits, 4);
    int below = m < 0.707106781186547524f;
    float e = (float)(exponent - below);
    m = below ? m + m - 1 : m - 1;
    float z = m * m;
    float p = 7.0376836292e-2f;
    p = p * m - 1.1514610310e-1f;
    p = p * m + 1.1676998740e-1f;
    p = p * m - 1.2420140846e-1f;
    p = p * m + 1.4249322787e-1f;
    p = p * m - 1.6668057665e-1f;
    p = p * m + 2.0000714765e-1f;
    p = p * m - 2.4999993993e-1f;
    p = p * m + 3.3333331174e-1f;
    float y = p * m * z;
    y = y + -2.12194440e-4f * e;
    y = y + -0.5f * z;
    float result = m + y;
    result = result + 0.693359375f * e;
    result = x == 0 ? -__builtin_inff() : result;
    result = x == __builtin_inff() ? x : result;
    return x < 0 || x != x ? __builtin_nanf("") : result;
}

#endif
