// The optimizers' updates, branch-free inside their loops: the loop-invariant choices (weight
// decay, which lerp formula, momentum, first step) are made once, and the square roots are the
// vector instruction (correctly rounded like sqrtf, without sqrtf's errno branch, which keeps a
// loop scalar), so each variant vectorises. No contraction into fused multiply-adds: every CPU
// rounds as PyTorch's reference formulas do.
#include "optimizers.h"
#include "clones.h"

static inline __attribute__((always_inline)) void update(float *restrict p, const float *restrict grad, float *restrict m,
                                                          float *restrict v, long count,
                                                          float weight, float beta2, float eps, float weight_decay,
                                                          float step_size, float bc2, int decays, int low_weight) {
    float one_minus_beta2 = 1 - beta2, one_minus_weight = 1 - weight;
    for (long i = 0; i < count; i++) {
        float g = decays ? grad[i] + p[i] * weight_decay : grad[i];
        float mi = low_weight ? m[i] + weight * (g - m[i]) : g - (g - m[i]) * one_minus_weight;
        float vi = v[i] * beta2 + one_minus_beta2 * g * g;
        m[i] = mi;
        v[i] = vi;
        float denom = __builtin_elementwise_sqrt(vi) / bc2 + eps;
        p[i] = p[i] + step_size * (mi / denom);
    }
}

CLONES void genlab_adam_update(float *p, const float *grad, float *m, float *v, long count, float beta1, float beta2, float eps,
                               float weight_decay, float step_size, float bias_correction2_sqrt) {
    float weight = 1 - beta1;
    int decays = weight_decay != 0, low_weight = weight < 0.5f;
    if (decays && low_weight) update(p, grad, m, v, count, weight, beta2, eps, weight_decay, step_size, bias_correction2_sqrt, 1, 1);
    else if (decays) update(p, grad, m, v, count, weight, beta2, eps, weight_decay, step_size, bias_correction2_sqrt, 1, 0);
    else if (low_weight) update(p, grad, m, v, count, weight, beta2, eps, weight_decay, step_size, bias_correction2_sqrt, 0, 1);
    else update(p, grad, m, v, count, weight, beta2, eps, weight_decay, step_size, bias_correction2_sqrt, 0, 0);
}

static inline __attribute__((always_inline)) void rmsprop(float *restrict p, const float *restrict grad,
                                                           float *restrict s, long count, float lr, float alpha, float eps,
                                                           float weight_decay, int decays) {
    float one_minus_alpha = 1 - alpha, neg_lr = -lr;
    for (long i = 0; i < count; i++) {
        float g = decays ? grad[i] + p[i] * weight_decay : grad[i];
        float si = s[i] * alpha + one_minus_alpha * g * g;
        s[i] = si;
        p[i] = p[i] + neg_lr * (g / (__builtin_elementwise_sqrt(si) + eps));
    }
}

CLONES void genlab_rmsprop_update(float *p, const float *grad, float *square_avg, long count, float lr, float alpha, float eps,
                                  float weight_decay) {
    if (weight_decay != 0) rmsprop(p, grad, square_avg, count, lr, alpha, eps, weight_decay, 1);
    else rmsprop(p, grad, square_avg, count, lr, alpha, eps, weight_decay, 0);
}

// kind: 0 without momentum, 1 the momentum buffer's first step (b = g), 2 a later one.
static inline __attribute__((always_inline)) void sgd(float *restrict p, const float *restrict grad, float *restrict b,
                                                       long count, float lr, float momentum, float weight_decay, int decays,
                                                       int kind) {
    float neg_lr = -lr;
    for (long i = 0; i < count; i++) {
        float g = decays ? grad[i] + p[i] * weight_decay : grad[i];
        float d = g;
        if (kind == 1) b[i] = g;
        if (kind == 2) {
            d = b[i] * momentum + g;
            b[i] = d;
        }
        p[i] = p[i] + neg_lr * d;
    }
}

CLONES void genlab_sgd_update(float *p, const float *grad, float *buffer, long count, float lr, float momentum,
                              float weight_decay, int first_step) {
    int kind = momentum == 0 ? 0 : first_step ? 1 : 2, decays = weight_decay != 0;
    if (decays && kind == 0) sgd(p, grad, buffer, count, lr, momentum, weight_decay, 1, 0);
    else if (decays && kind == 1) sgd(p, grad, buffer, count, lr, momentum, weight_decay, 1, 1);
    else if (decays) sgd(p, grad, buffer, count, lr, momentum, weight_decay, 1, 2);
    else if (kind == 0) sgd(p, grad, buffer, count, lr, momentum, weight_decay, 0, 0);
    else if (kind == 1) sgd(p, grad, buffer, count, lr, momentum, weight_decay, 0, 1);
    else sgd(p, grad, buffer, count, lr, momentum, weight_decay, 0, 2);
}
