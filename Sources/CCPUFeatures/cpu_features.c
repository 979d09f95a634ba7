#include "cpu_features.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t xgetbv0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static uint32_t features_read(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    uint32_t f = 0;
    if (c & bit_SSE3) f |= GENLAB_CPU_SSE3;
    if (c & bit_SSSE3) f |= GENLAB_CPU_SSSE3;
    if (c & bit_SSE4_2) f |= GENLAB_CPU_SSE4_2;
    int osxsave = (c & bit_OSXSAVE) != 0;
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    int ymm = (xcr0 & 0x6) == 0x6;            // XMM and YMM state
    int zmm = ymm && (xcr0 & 0xE0) == 0xE0;   // opmask, ZMM0-15 upper halves, ZMM16-31
    int tiles = (xcr0 & 0x60000) == 0x60000;  // XTILECFG and XTILEDATA
    if (ymm && (c & bit_AVX)) f |= GENLAB_CPU_AVX;
    if (ymm && (c & bit_FMA)) f |= GENLAB_CPU_FMA;
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (ymm && (b & bit_AVX2)) f |= GENLAB_CPU_AVX2;
        if (zmm) {
            if (b & bit_AVX512F) f |= GENLAB_CPU_AVX512F;
            if (b & bit_AVX512DQ) f |= GENLAB_CPU_AVX512DQ;
            if (b & bit_AVX512CD) f |= GENLAB_CPU_AVX512CD;
            if (b & bit_AVX512BW) f |= GENLAB_CPU_AVX512BW;
            if (b & bit_AVX512VL) f |= GENLAB_CPU_AVX512VL;
        }
        if (tiles && (d & (1u << 24))) f |= GENLAB_CPU_AMX;
        unsigned a1, b1, c1, d1;
        __cpuid_count(7, 1, a1, b1, c1, d1);
        if (zmm && (a1 & (1u << 5))) f |= GENLAB_CPU_AVX512BF16;
    }
    return f;
}

uint32_t genlab_cpu_features(void) {
    // asked once (several threads may race to ask: each gets the same answer)
    static uint32_t known = 0;
    static int asked = 0;
    if (__atomic_load_n(&asked, __ATOMIC_ACQUIRE)) return __atomic_load_n(&known, __ATOMIC_RELAXED);
    uint32_t features = features_read();
    __atomic_store_n(&known, features, __ATOMIC_RELAXED);
    __atomic_store_n(&asked, 1, __ATOMIC_RELEASE);
    return features;
}

void genlab_cpu_brand(char *buffer, int size) {
    if (size <= 0) return;
    buffer[0] = 0;
    unsigned words[12];
    if (__get_cpuid_max(0x80000000, 0) < 0x80000004) return;
    for (unsigned i = 0; i < 3; i++) {
        __get_cpuid(0x80000002 + i, &words[4 * i], &words[4 * i + 1], &words[4 * i + 2], &words[4 * i + 3]);
    }
    char brand[49];
    memcpy(brand, words, 48);
    brand[48] = 0;
    const char *start = brand;
    while (*start == ' ') start++;
    strncpy(buffer, start, (size_t)size - 1);
    buffer[size - 1] = 0;
}

#else

uint32_t genlab_cpu_features(void) { return 0; }
void genlab_cpu_brand(char *buffer, int size) { if (size > 0) buffer[0] = 0; }

#endif
