// The element loop of torch.optim.Adam's step (no amsgrad), compiled for AVX-512, for AVX2 and
// for the baseline, picked at load time.
#ifndef GENLAB_ADAM_H
#define GENLAB_ADAM_H

/// For each i < count, as PyTorch's single-tensor Adam: g = grad + weight_decay·p (when
/// weight_decay ≠ 0); m = lerp(m, g, 1 − β1) (torch.lerp's two formulas around weight 0.5);
/// v = v·β2 + (1 − β2)·g·g; p += step_size·(m / (√v / bias_correction2_sqrt + eps)).
void genlab_adam_update(float *p, const float *grad, float *m, float *v, long count, float beta1, float beta2, float eps,
                        float weight_decay, float step_size, float bias_correction2_sqrt);

#endif
