// The smooth activations' element loops (Sigmoid, SiLU, ELU, GELU, Tanh) and a residual block's
// sum, compiled for AVX-512, for AVX2 and for the baseline, picked at load time. eˣ as in
// lane_math.h (Cephes' expf, within 2 ulp of expf), erf after Abramowitz and Stegun 7.1.26
// (within 1.5e-7): branch-free, so each loop vectorises.
#ifndef GENLAB_ACTIVATIONS_H
#define GENLAB_ACTIVATIONS_H

/// y = σ(x) = 1 / (1 + e^{−x}) for count values (0 below x = −88.7, where e^{−x} overflows);
/// y may be x.
void genlab_sigmoid_forward(const float *x, float *y, long count);
/// y = x·σ(x) for count values.
void genlab_silu_forward(const float *x, float *y, long count);
/// dx = g·σ(x)·(1 + x·(1 − σ(x))); dx may be g.
void genlab_silu_backward(const float *x, const float *g, float *dx, long count);
/// y = x for x > 0, α·(eˣ − 1) elsewhere.
void genlab_elu_forward(const float *x, float *y, long count, float alpha);
/// dx = g for x > 0, g·α·eˣ elsewhere; dx may be g.
void genlab_elu_backward(const float *x, const float *g, float *dx, long count, float alpha);
/// y = x·Φ(x), Φ(x) = ½(1 + erf(x/√2)).
void genlab_gelu_forward(const float *x, float *y, long count);
/// dx = g·(Φ(x) + x·φ(x)); dx may be g.
void genlab_gelu_backward(const float *x, const float *g, float *dx, long count);

/// y = tanh(x) (Cephes' tanhf, within 2 ulp of tanhf); y may be x.
void genlab_tanh_forward(const float *x, float *y, long count);

/// sum = a + b over count values; sum may be a (a residual block adds its shortcut).
void genlab_add(const float *a, const float *b, float *sum, long count);

#endif
