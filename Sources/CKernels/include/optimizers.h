// The element loops of torch.optim's Adam (no amsgrad), RMSprop (not centred, no momentum) and
// SGD (momentum without dampening, not Nesterov) steps, compiled for AVX-512, for AVX2 and for
// the baseline, picked at load time. Each rounds as PyTorch's single-tensor formulas, in their
// order, on every CPU.
#ifndef GENLAB_OPTIMIZERS_H
#define GENLAB_OPTIMIZERS_H

/// For each i < count, as PyTorch's single-tensor Adam: g = grad + weight_decay·p (when
/// weight_decay ≠ 0); m = lerp(m, g, 1 − β1) (torch.lerp's two formulas around weight 0.5);
/// v = v·β2 + (1 − β2)·g·g; p += step_size·(m / (√v / bias_correction2_sqrt + eps)).
void genlab_adam_update(float *p, const float *grad, float *m, float *v, long count, float beta1, float beta2, float eps,
                        float weight_decay, float step_size, float bias_correction2_sqrt);

/// For each i < count, as PyTorch's RMSprop: g = grad + weight_decay·p (when weight_decay ≠ 0);
/// s = s·α + (1 − α)·g·g; p += −lr·(g / (√s + eps)).
void genlab_rmsprop_update(float *p, const float *grad, float *square_avg, long count, float lr, float alpha, float eps,
                           float weight_decay);

/// For each i < count, as PyTorch's SGD: g = grad + weight_decay·p (when weight_decay ≠ 0);
/// with momentum μ ≠ 0, b = g on the first step and b·μ + g after, and d = b; d = g without;
/// p += −lr·d. `buffer` is read only when μ ≠ 0.
void genlab_sgd_update(float *p, const float *grad, float *buffer, long count, float lr, float momentum,
                       float weight_decay, int first_step);

#endif
