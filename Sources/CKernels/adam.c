// Adam's update, branch-free inside the loop: the loop-invariant choices (weight decay,
// which lerp formula) are made once, and the square root is the vector instruction (correctly
// rounded like sqrtf, without sqrtf's errno branch, which kept the loop scalar), so each variant
// vectorises. No contraction into fused multiply-adds: every CPU rounds as PyTorch's reference
// formulas do.
#include "adam.h"
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
