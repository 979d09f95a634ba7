// The x86 instruction-set features that decide which OpenBLAS kernel family can run,
// read with CPUID and XGETBV (the OS must also save the wider registers).
#ifndef GENLAB_CPU_FEATURES_H
#define GENLAB_CPU_FEATURES_H

#include <stdint.h>

enum {
    GENLAB_CPU_SSE3 = 1u << 0,
    GENLAB_CPU_SSSE3 = 1u << 1,
    GENLAB_CPU_SSE4_2 = 1u << 2,
    GENLAB_CPU_AVX = 1u << 3,      // with OS support for YMM state
    GENLAB_CPU_FMA = 1u << 4,
    GENLAB_CPU_AVX2 = 1u << 5,
    GENLAB_CPU_AVX512F = 1u << 6,  // with OS support for ZMM and opmask state
    GENLAB_CPU_AVX512DQ = 1u << 7,
    GENLAB_CPU_AVX512CD = 1u << 8,
    GENLAB_CPU_AVX512BW = 1u << 9,
    GENLAB_CPU_AVX512VL = 1u << 10,
    GENLAB_CPU_AVX512BF16 = 1u << 11,
    GENLAB_CPU_AMX = 1u << 12,     // AMX-TILE with OS support for tile state
};

/// The feature bits above for the CPU this runs on (0 on other architectures), read once.
uint32_t genlab_cpu_features(void);

/// Writes the CPU's brand string (at most `size` bytes, NUL-terminated); "" if unknown.
void genlab_cpu_brand(char *buffer, int size);

#endif
