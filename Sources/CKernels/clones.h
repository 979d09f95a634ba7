// The kernels compiled three times, for AVX-512, for AVX2 and for the baseline, the loader
// picking one (GCC/Clang function multiversioning); no contraction into fused multiply-adds,
// so every clone rounds alike.
#ifndef GENLAB_CLONES_H
#define GENLAB_CLONES_H

#pragma clang fp contract(off)

#if defined(__x86_64__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

#endif
