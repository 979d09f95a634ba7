// im2col and col2im one image channel at a time through a zero-bordered copy of it, so that
// every kernel tap reads (or adds to) whole output rows without bounds checks. Output rows
// are a few dozen floats long: on AVX-512 each is one or two masked 16-lane operations; the
// portable path is plain loops (compiled for AVX2 too, used where AVX-512 is not). Each float
// is handled alone, so every path gives the same bits.
#include "im2col.h"
#include "cpu_features.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define GENLAB_HAS_AVX512_PATH 1
#endif

typedef struct {
    float *base;
    long width;  // W + 2p
    long count;  // (H + 2p)·(W + 2p)
} padded_plane;

static inline void gather_generic(const float *s, long stride, float *d, long n) {
    if (stride == 1) {
        for (long x = 0; x < n; x++) d[x] = s[x];
    } else {
        for (long x = 0; x < n; x++) d[x] = s[x * stride];
    }
}

static inline void scatter_add_generic(const float *s, long stride, float *d, long n) {
    if (stride == 1) {
        for (long x = 0; x < n; x++) d[x] += s[x];
    } else {
        for (long x = 0; x < n; x++) d[x * stride] += s[x];
    }
}

#ifdef GENLAB_HAS_AVX512_PATH
#define AVX512 __attribute__((target("avx512f")))

static inline AVX512 __mmask16 lanes(long n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

/// d[x] = s[x·stride]: strides 1 and 2 in 16-lane blocks, a masked last block.
static inline AVX512 void gather_avx512(const float *s, long stride, float *d, long n) {
    if (stride == 1) {
        for (long x = 0; x < n; x += 16) {
            __mmask16 m = lanes(n - x);
            _mm512_mask_storeu_ps(d + x, m, _mm512_maskz_loadu_ps(m, s + x));
        }
    } else if (stride == 2) {
        const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
        for (long x = 0; x < n; x += 16) {
            long left = n - x;  // outputs; the last one reads s[2·(left − 1)]
            long reads = 2 * (left < 16 ? left : 16) - 1;
            __m512 low = _mm512_maskz_loadu_ps(lanes(reads), s + 2 * x);
            __m512 high = _mm512_maskz_loadu_ps(lanes(reads > 16 ? reads - 16 : 0), s + 2 * x + 16);
            _mm512_mask_storeu_ps(d + x, lanes(left), _mm512_permutex2var_ps(low, even, high));
        }
    } else {
        gather_generic(s, stride, d, n);
    }
}

/// d[x·stride] += s[x]: stride 1 in 16-lane blocks, stride 2 in blocks of 8 spread over the
/// even lanes; the odd lanes are left untouched.
static inline AVX512 void scatter_add_avx512(const float *s, long stride, float *d, long n) {
    if (stride == 1) {
        for (long x = 0; x < n; x += 16) {
            __mmask16 m = lanes(n - x);
            __m512 sum = _mm512_add_ps(_mm512_maskz_loadu_ps(m, d + x), _mm512_maskz_loadu_ps(m, s + x));
            _mm512_mask_storeu_ps(d + x, m, sum);
        }
    } else if (stride == 2) {
        for (long x = 0; x < n; x += 8) {
            long left = n - x < 8 ? n - x : 8;
            __m512 add = _mm512_maskz_expand_ps(0x5555, _mm512_maskz_loadu_ps(lanes(left), s + x));
            __mmask16 targets = (__mmask16)(0x5555 & lanes(2 * left - 1));
            __m512 old = _mm512_maskz_loadu_ps(targets, d + 2 * x);
            _mm512_mask_storeu_ps(d + 2 * x, targets, _mm512_add_ps(old, add));
        }
    } else {
        scatter_add_generic(s, stride, d, n);
    }
}

/// Whether `fold_in_registers` takes this geometry: a padded row fits two registers.
static int folds_in_registers(const genlab_conv_geometry *g) {
    long width = g->width + 2 * g->padding;
    return width <= 32 && g->kernel_width <= 16
        && (g->stride == 1 || (g->stride == 2 && g->output_width <= 16));
}

/// Lanes [low, high) of a 32-lane row: bits of its low and high halves.
static inline unsigned long row_lanes(long low, long high) {
    unsigned long bits = 0;
    for (long lane = low < 0 ? 0 : low; lane < high && lane < 32; lane++) bits |= 1ul << lane;
    return bits;
}

/// col2im with each padded image row summed in two registers, tap by tap in tap order, and
/// written once: adding rows in memory, each tap one float right of the last, stalls on
/// store forwarding. Column row (i, j, y) lands at lanes j + s·x of padded row s·y + i.
static AVX512 void fold_in_registers(const float *columns, long batch, long first_plane, long plane_count,
                                     const genlab_conv_geometry *g, float *images) {
    long plane = g->output_height * g->output_width, row_length = batch * plane;
    long ow = g->output_width, s = g->stride;
    __mmask16 load_low[16], load_high[16];    // stride 1: the lanes a shifted row covers
    __m512i spread_low[16], spread_high[16];  // stride 2: which column feeds each lane
    const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    for (long j = 0; j < g->kernel_width; j++) {
        unsigned long bits = 0;
        if (s == 1) {
            bits = row_lanes(j, j + ow);
        } else {
            for (long x = 0; x < ow; x++) bits |= 1ul << (j + 2 * x);
            spread_low[j] = _mm512_srai_epi32(_mm512_sub_epi32(iota, _mm512_set1_epi32((int)j)), 1);
            spread_high[j] = _mm512_srai_epi32(_mm512_sub_epi32(_mm512_add_epi32(iota, _mm512_set1_epi32(16)),
                                                                 _mm512_set1_epi32((int)j)), 1);
        }
        load_low[j] = (__mmask16)(bits & 0xFFFF);
        load_high[j] = (__mmask16)(bits >> 16);
    }
    unsigned long interior = row_lanes(g->padding, g->padding + g->width);
    // four images of a channel at once: four independent chains of additions, each in tap order
    enum { block = 4 };
    for (long plane_index = first_plane; plane_index < first_plane + plane_count;) {
        long c = plane_index / batch, first = plane_index % batch;
        long count = first_plane + plane_count - plane_index;
        if (count > block) count = block;
        if (count > batch - first) count = batch - first;
        plane_index += count;
        for (long r = 0; r < g->height; r++) {
            long padded_row = r + g->padding;
            __m512 low[block], high[block];
            for (int b = 0; b < block; b++) low[b] = high[b] = _mm512_setzero_ps();
            for (long i = 0; i < g->kernel_height; i++) {
                long t = padded_row - i;
                if (t < 0 || t % s != 0 || t / s >= g->output_height) continue;
                for (long j = 0; j < g->kernel_width; j++) {
                    const float *row = columns + ((c * g->kernel_height + i) * g->kernel_width + j) * row_length
                        + first * plane + (t / s) * ow;
                    for (int b = 0; b < block; b++) {
                        // a short last block repeats its last image, not stored
                        const float *image_row = row + (b < count ? b : count - 1) * plane;
                        if (s == 1) {
                            // lanes j..j+ow−1 read image_row[0..ow−1]; masked-off lanes are not read
                            low[b] = _mm512_add_ps(low[b], _mm512_maskz_loadu_ps(load_low[j], image_row - j));
                            high[b] = _mm512_add_ps(high[b], _mm512_maskz_loadu_ps(load_high[j], image_row - j + 16));
                        } else {
                            __m512 values = _mm512_maskz_loadu_ps(lanes(ow), image_row);
                            low[b] = _mm512_mask_add_ps(low[b], load_low[j], low[b], _mm512_permutexvar_ps(spread_low[j], values));
                            high[b] = _mm512_mask_add_ps(high[b], load_high[j], high[b], _mm512_permutexvar_ps(spread_high[j], values));
                        }
                    }
                }
            }
            for (int b = 0; b < count; b++) {
                float *out = images + ((first + b) * g->channels + c) * g->height * g->width + r * g->width - g->padding;
                _mm512_mask_storeu_ps(out, (__mmask16)(interior & 0xFFFF), low[b]);
                _mm512_mask_storeu_ps(out + 16, (__mmask16)(interior >> 16), high[b]);
            }
        }
    }
}
#endif

/// The two passes, written once: `avx512` is a constant in each instantiation below.
static inline __attribute__((always_inline)) void unfold_body(
    const float *images, long batch, long first, long count, const genlab_conv_geometry *g, float *columns, padded_plane p,
    int avx512) {
    long plane = g->output_height * g->output_width, row_length = batch * plane;
    for (long plane_index = first; plane_index < first + count; plane_index++) {
        long c = plane_index / batch, n = plane_index % batch;
        const float *image = images + (n * g->channels + c) * g->height * g->width;
        for (long y = 0; y < g->height; y++) {
            memcpy(p.base + (y + g->padding) * p.width + g->padding, image + y * g->width, (size_t)g->width * sizeof(float));
        }
        for (long i = 0; i < g->kernel_height; i++) {
            for (long j = 0; j < g->kernel_width; j++) {
                float *row = columns + ((c * g->kernel_height + i) * g->kernel_width + j) * row_length + n * plane;
                for (long y = 0; y < g->output_height; y++) {
                    const float *tap = p.base + (y * g->stride + i) * p.width + j;
#ifdef GENLAB_HAS_AVX512_PATH
                    if (avx512) { gather_avx512(tap, g->stride, row + y * g->output_width, g->output_width); continue; }
#endif
                    gather_generic(tap, g->stride, row + y * g->output_width, g->output_width);
                }
            }
        }
    }
}

static inline __attribute__((always_inline)) void fold_body(
    const float *columns, long batch, long first, long count, const genlab_conv_geometry *g, float *images, padded_plane p,
    int avx512) {
    long plane = g->output_height * g->output_width, row_length = batch * plane;
    for (long plane_index = first; plane_index < first + count; plane_index++) {
        long c = plane_index / batch, n = plane_index % batch;
        memset(p.base, 0, (size_t)p.count * sizeof(float));
        for (long i = 0; i < g->kernel_height; i++) {
            for (long j = 0; j < g->kernel_width; j++) {
                const float *row = columns + ((c * g->kernel_height + i) * g->kernel_width + j) * row_length + n * plane;
                for (long y = 0; y < g->output_height; y++) {
                    float *tap = p.base + (y * g->stride + i) * p.width + j;
#ifdef GENLAB_HAS_AVX512_PATH
                    if (avx512) { scatter_add_avx512(row + y * g->output_width, g->stride, tap, g->output_width); continue; }
#endif
                    scatter_add_generic(row + y * g->output_width, g->stride, tap, g->output_width);
                }
            }
        }
        float *image = images + (n * g->channels + c) * g->height * g->width;
        for (long y = 0; y < g->height; y++) {
            memcpy(image + y * g->width, p.base + (y + g->padding) * p.width + g->padding, (size_t)g->width * sizeof(float));
        }
    }
}

/// unfold_NAME and fold_NAME: the two bodies compiled with `attributes`, `avx512` a constant.
#define PASSES(name, attributes, avx512)                                                                              \
    static attributes void unfold_##name(const float *images, long batch, long first, long count,                      \
                                         const genlab_conv_geometry *g, float *columns, padded_plane p) {              \
        unfold_body(images, batch, first, count, g, columns, p, avx512);                                                \
    }                                                                                                                  \
    static attributes void fold_##name(const float *columns, long batch, long first, long count,                       \
                                       const genlab_conv_geometry *g, float *images, padded_plane p) {                 \
        fold_body(columns, batch, first, count, g, images, p, avx512);                                                  \
    }

PASSES(generic, , 0)
#ifdef GENLAB_HAS_AVX512_PATH
// the portable loops compiled for AVX2 (eight lanes), for CPUs without AVX-512
PASSES(avx2, __attribute__((target("avx2"))), 0)
PASSES(avx512, AVX512, 1)
#endif

static int vectors_allowed = 1;

int genlab_im2col_allow_vectors(int allow) {
    return __atomic_exchange_n(&vectors_allowed, allow, __ATOMIC_RELAXED);
}

static int use_avx512(void) {
    return (genlab_cpu_features() & GENLAB_CPU_AVX512F) && __atomic_load_n(&vectors_allowed, __ATOMIC_RELAXED);
}

static int use_avx2(void) {
    return (genlab_cpu_features() & GENLAB_CPU_AVX2) && __atomic_load_n(&vectors_allowed, __ATOMIC_RELAXED);
}

long genlab_im2col_scratch(const genlab_conv_geometry *g) {
    return (g->height + 2 * g->padding) * (g->width + 2 * g->padding);
}

static padded_plane padded(const genlab_conv_geometry *g, float *scratch) {
    padded_plane p = {scratch, g->width + 2 * g->padding, genlab_im2col_scratch(g)};
    return p;
}

void genlab_im2col_unfold(const float *images, long batch, long first, long count, const genlab_conv_geometry *g,
                          float *columns, float *scratch) {
    padded_plane p = padded(g, scratch);
    memset(p.base, 0, (size_t)p.count * sizeof(float));
#ifdef GENLAB_HAS_AVX512_PATH
    if (use_avx512()) { unfold_avx512(images, batch, first, count, g, columns, p); return; }
    if (use_avx2()) { unfold_avx2(images, batch, first, count, g, columns, p); return; }
#endif
    unfold_generic(images, batch, first, count, g, columns, p);
}

void genlab_im2col_fold(const float *columns, long batch, long first, long count, const genlab_conv_geometry *g,
                        float *images, float *scratch) {
    padded_plane p = padded(g, scratch);
#ifdef GENLAB_HAS_AVX512_PATH
    if (use_avx512() && folds_in_registers(g)) { fold_in_registers(columns, batch, first, count, g, images); return; }
    if (use_avx512()) { fold_avx512(columns, batch, first, count, g, images, p); return; }
    if (use_avx2()) { fold_avx2(columns, batch, first, count, g, images, p); return; }
#endif
    fold_generic(columns, batch, first, count, g, images, p);
}
