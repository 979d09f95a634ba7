// Winograd's F(2×2, 5×5) and F(4×4, 3×3): the same 6 × 6 input tiles and input transform, a
// kernel and output transform each (`taps` 5 or 3). The transforms run on channels-last data, so that each is a loop
// over contiguous channels the compiler keeps in vector lanes (compiled for AVX-512, AVX2 and
// the baseline, without fused multiply-adds); the products are an AVX2 kernel of six tiles by
// sixteen output channels in registers, each output's channels added in order with FMA.
#include "winograd.h"
#include "clones.h"
#include "cpu_features.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum { TILE = 6, POINTS = TILE * TILE, KB = GENLAB_WINOGRAD_OUTPUT_BLOCK, SB = GENLAB_WINOGRAD_SLOT_BLOCK };

static long rounded(long n, long block) { return (n + block - 1) / block * block; }

int genlab_winograd_available(void) {
    uint32_t needed = GENLAB_CPU_AVX2 | GENLAB_CPU_FMA;
    return (genlab_cpu_features() & needed) == needed;
}

/// Bᵀ·d of six values d(0)…d(5) (the rows of Bᵀ for the points 0, 1, −1, 2, −2, ∞).
#define INPUT_TRANSFORM(d, out)                                                \
    do {                                                                       \
        float d0 = d(0), d1 = d(1), d2 = d(2), d3 = d(3), d4 = d(4), d5 = d(5); \
        out(0) = 4 * d0 - 5 * d2 + d4;                                         \
        out(1) = -4 * d1 - 4 * d2 + d3 + d4;                                   \
        out(2) = 4 * d1 - 4 * d2 - d3 + d4;                                    \
        out(3) = -2 * d1 - d2 + 2 * d3 + d4;                                   \
        out(4) = 2 * d1 - d2 - 2 * d3 + d4;                                    \
        out(5) = 4 * d1 - 5 * d3 + d5;                                         \
    } while (0)

/// Aᵀ·m of six values m(0)…m(5) for F(2, 5): the two outputs.
#define OUTPUT_TRANSFORM_2(m, out)                                             \
    do {                                                                       \
        float m0 = m(0), m1 = m(1), m2 = m(2), m3 = m(3), m4 = m(4), m5 = m(5); \
        out(0) = m0 + m1 + m2 + m3 + m4;                                       \
        out(1) = m1 - m2 + 2 * m3 - 2 * m4 + m5;                               \
    } while (0)

/// Aᵀ·m of six values m(0)…m(5) for F(4, 3): the four outputs.
#define OUTPUT_TRANSFORM_4(m, out)                                             \
    do {                                                                       \
        float m0 = m(0), m1 = m(1), m2 = m(2), m3 = m(3), m4 = m(4), m5 = m(5); \
        float sum1 = m1 + m2, difference1 = m1 - m2, sum2 = m3 + m4, difference2 = m3 - m4; \
        out(0) = m0 + sum1 + sum2;                                             \
        out(1) = difference1 + 2 * difference2;                                \
        out(2) = sum1 + 4 * sum2;                                              \
        out(3) = difference1 + 8 * difference2 + m5;                           \
    } while (0)

/// G·g of five taps g(0)…g(4) for F(2, 5): the six transformed values.
#define WEIGHT_TRANSFORM_5(g, out)                                             \
    do {                                                                       \
        float g0 = g(0), g1 = g(1), g2 = g(2), g3 = g(3), g4 = g(4);           \
        out(0) = g0 / 4;                                                       \
        out(1) = -(g0 + g1 + g2 + g3 + g4) / 6;                                \
        out(2) = -(g0 - g1 + g2 - g3 + g4) / 6;                                \
        out(3) = g0 / 24 + g1 / 12 + g2 / 6 + g3 / 3 + 2 * g4 / 3;             \
        out(4) = g0 / 24 - g1 / 12 + g2 / 6 - g3 / 3 + 2 * g4 / 3;             \
        out(5) = g4;                                                           \
    } while (0)

/// G·g of three taps g(0)…g(2) for F(4, 3): the six transformed values.
#define WEIGHT_TRANSFORM_3(g, out)                                             \
    do {                                                                       \
        float g0 = g(0), g1 = g(1), g2 = g(2);                                 \
        out(0) = g0 / 4;                                                       \
        out(1) = -(g0 + g1 + g2) / 6;                                          \
        out(2) = -(g0 - g1 + g2) / 6;                                          \
        out(3) = g0 / 24 + g1 / 12 + g2 / 6;                                   \
        out(4) = g0 / 24 - g1 / 12 + g2 / 6;                                   \
        out(5) = g2;                                                           \
    } while (0)

/// G·g of `taps` (3 or 5) taps.
#define WEIGHT_TRANSFORM(taps, g, out)                                         \
    do {                                                                       \
        if ((taps) == 5) WEIGHT_TRANSFORM_5(g, out);                           \
        else WEIGHT_TRANSFORM_3(g, out);                                       \
    } while (0)

/// The outputs a tile has along each side: 2 for F(2, 5), 4 for F(4, 3).
static inline long tile_outputs(long taps) { return TILE + 1 - taps; }

CLONES void genlab_winograd_weights(const genlab_winograd_shape *s, const float *weight, int transposed, int flipped,
                                    long first, long count, float *u) {
    long K = s->out_channels, C = s->in_channels, Kp = rounded(K, KB), T = s->taps;
    float taps[5 * 5][KB], rows[TILE][5][KB], points[POINTS][KB];
    for (long c = first; c < first + count; c++) {
        for (long k0 = 0; k0 < Kp; k0 += KB) {
            for (long r = 0; r < KB; r++) {
                long k = k0 + r;
                const float *w = weight + (transposed ? c * K + k : k * C + c) * T * T;
                for (long tap = 0; tap < T * T; tap++) taps[tap][r] = k < K ? w[flipped ? T * T - 1 - tap : tap] : 0;
            }
            for (long j = 0; j < T; j++) {  // along each kernel column j
#define G(i) taps[(i) * T + j][r]
#define R(a) rows[a][j][r]
                for (long r = 0; r < KB; r++) WEIGHT_TRANSFORM(T, G, R);
#undef G
#undef R
            }
            for (int a = 0; a < TILE; a++) {  // along each transformed row a
#define G(j) rows[a][j][r]
#define P(b) points[a * TILE + (b)][r]
                for (long r = 0; r < KB; r++) WEIGHT_TRANSFORM(T, G, P);
#undef G
#undef P
            }
            for (int point = 0; point < POINTS; point++)
                memcpy(u + ((point * Kp + k0) * C + c * KB), points[point], sizeof points[point]);
        }
    }
}

#if defined(__x86_64__)
/// line[x·C + c] = planes[c·plane_size + x] for eight channels and eight pixels: an 8 × 8
/// transpose in registers.
__attribute__((target("avx2"))) static void channels_last8(const float *planes, long plane_size, float *line, long C) {
    __m256 r0 = _mm256_loadu_ps(planes), r1 = _mm256_loadu_ps(planes + plane_size);
    __m256 r2 = _mm256_loadu_ps(planes + 2 * plane_size), r3 = _mm256_loadu_ps(planes + 3 * plane_size);
    __m256 r4 = _mm256_loadu_ps(planes + 4 * plane_size), r5 = _mm256_loadu_ps(planes + 5 * plane_size);
    __m256 r6 = _mm256_loadu_ps(planes + 6 * plane_size), r7 = _mm256_loadu_ps(planes + 7 * plane_size);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(line, _mm256_permute2f128_ps(s0, s4, 0x20));
    _mm256_storeu_ps(line + C, _mm256_permute2f128_ps(s1, s5, 0x20));
    _mm256_storeu_ps(line + 2 * C, _mm256_permute2f128_ps(s2, s6, 0x20));
    _mm256_storeu_ps(line + 3 * C, _mm256_permute2f128_ps(s3, s7, 0x20));
    _mm256_storeu_ps(line + 4 * C, _mm256_permute2f128_ps(s0, s4, 0x31));
    _mm256_storeu_ps(line + 5 * C, _mm256_permute2f128_ps(s1, s5, 0x31));
    _mm256_storeu_ps(line + 6 * C, _mm256_permute2f128_ps(s2, s6, 0x31));
    _mm256_storeu_ps(line + 7 * C, _mm256_permute2f128_ps(s3, s7, 0x31));
}
#endif

void genlab_winograd_pad(const genlab_winograd_shape *s, const float *images, long first, long count, float *padded) {
    long C = s->in_channels, out = tile_outputs(s->taps), rows = out * s->tiles_y + TILE - out;
    long columns = out * s->tiles_x + TILE - out, plane = s->height * s->width, width = s->width, p = s->padding;
    // the tiles cover the padded image: rows ≥ height + 2·padding, columns ≥ width + 2·padding
    long below = rows - p - s->height, right = columns - p - width;
    for (long n = first; n < first + count; n++) {
        float *image = padded + n * rows * columns * C;
        // zeros where no pixel goes: the rows above and below, each row's ends
        memset(image, 0, (size_t)(p * columns * C) * sizeof(float));
        memset(image + (p + s->height) * columns * C, 0, (size_t)(below * columns * C) * sizeof(float));
        const float *source = images + n * C * plane;
        float *corner = image + (p * columns + p) * C;
        long blocked = 0;
#if defined(__x86_64__)
        // eight channels by eight pixels at a time, eight planes read through before the next
        // eight (the CPU has AVX2: genlab_winograd_available)
        blocked = C / 8 * 8;
        for (long c0 = 0; c0 < blocked; c0 += 8)
            for (long y = 0; y < s->height; y++)
                for (long x = 0; x + 8 <= width; x += 8)
                    channels_last8(source + c0 * plane + y * width + x, plane, corner + (y * columns + x) * C + c0, C);
#endif
        for (long y = 0; y < s->height; y++) {
            float *line = corner + y * columns * C;
            const float *pixels = source + y * width;
            memset(line - p * C, 0, (size_t)(p * C) * sizeof(float));
            memset(line + width * C, 0, (size_t)(right * C) * sizeof(float));
            for (long c = 0; c < C; c++)
                for (long x = c < blocked ? width / 8 * 8 : 0; x < width; x++) line[x * C + c] = pixels[c * plane + x];
        }
    }
}

/// v[ξ][slot] of one tile from the padded image at its top-left pixel `at`: Bᵀ along each of
/// its six rows, then along its columns, channel by channel.
static inline __attribute__((always_inline)) void input_tile(const float *restrict at, long C, long columns, long slots,
                                                             float *restrict v, float *restrict across) {
    for (int l = 0; l < TILE; l++) {
        const float *line = at + l * columns * C;
        for (long c = 0; c < C; c++) {
#define D(m) line[(m) * C + c]
#define T(b) across[(l * TILE + (b)) * C + c]
            INPUT_TRANSFORM(D, T);
#undef D
#undef T
        }
    }
    for (int b = 0; b < TILE; b++) {
        for (long c = 0; c < C; c++) {
#define D(l) across[((l) * TILE + b) * C + c]
#define V(a) v[((a) * TILE + b) * slots * C + c]
            INPUT_TRANSFORM(D, V);
#undef D
#undef V
        }
    }
}

#if defined(__x86_64__)
/// Four rows of four pixels for each of the channels [0, K) (NCHW, from `at`, rows `width`
/// apart, planes `plane` apart) from pixels[(4·i + j)·Kp + k]: eight channels at a time,
/// each row's four pixels transposed to one vector.
__attribute__((target("avx2"))) static void store_rows4(const float *pixels, long Kp, long K, float *at, long width,
                                                         long plane) {
    long k0 = 0;
    for (; k0 + 8 <= K; k0 += 8) {
        for (int i = 0; i < 4; i++) {
            const float *row = pixels + 4 * i * Kp + k0;
            __m256 r0 = _mm256_loadu_ps(row), r1 = _mm256_loadu_ps(row + Kp);
            __m256 r2 = _mm256_loadu_ps(row + 2 * Kp), r3 = _mm256_loadu_ps(row + 3 * Kp);
            __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
            __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
            __m256 c0 = _mm256_shuffle_ps(t0, t2, 0x44), c1 = _mm256_shuffle_ps(t0, t2, 0xEE);
            __m256 c2 = _mm256_shuffle_ps(t1, t3, 0x44), c3 = _mm256_shuffle_ps(t1, t3, 0xEE);
            float *line = at + (k0 * plane) + i * width;
            _mm_storeu_ps(line, _mm256_castps256_ps128(c0));
            _mm_storeu_ps(line + plane, _mm256_castps256_ps128(c1));
            _mm_storeu_ps(line + 2 * plane, _mm256_castps256_ps128(c2));
            _mm_storeu_ps(line + 3 * plane, _mm256_castps256_ps128(c3));
            _mm_storeu_ps(line + 4 * plane, _mm256_extractf128_ps(c0, 1));
            _mm_storeu_ps(line + 5 * plane, _mm256_extractf128_ps(c1, 1));
            _mm_storeu_ps(line + 6 * plane, _mm256_extractf128_ps(c2, 1));
            _mm_storeu_ps(line + 7 * plane, _mm256_extractf128_ps(c3, 1));
        }
    }
    for (; k0 < K; k0++)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) at[k0 * plane + i * width + j] = pixels[(4 * i + j) * Kp + k0];
}
#endif

/// The out × out pixels of one tile (those inside the image) from m[ξ][slot]: Aᵀ along the
/// columns, then along the rows, channel by channel; then each channel's pixels stored.
/// `out` is a constant where it is inlined (2 or 4), so that the transforms unroll.
static inline __attribute__((always_inline)) void output_tile(const genlab_winograd_shape *s, const float *restrict m,
                                                              long slots, long Kp, long n, long ty, long tx,
                                                              float *restrict output, float *restrict down,
                                                              float *restrict pixels, int out) {
    for (int b = 0; b < TILE; b++) {
        for (long k = 0; k < Kp; k++) {
#define M(a) m[((a) * TILE + b) * slots * Kp + k]
#define S(i) down[((i) * TILE + b) * Kp + k]
            if (out == 2) OUTPUT_TRANSFORM_2(M, S);
            else OUTPUT_TRANSFORM_4(M, S);
#undef M
#undef S
        }
    }
    for (int i = 0; i < out; i++) {
        for (long k = 0; k < Kp; k++) {
#define M(b) down[(i * TILE + (b)) * Kp + k]
#define P(j) pixels[(i * out + (j)) * Kp + k]
            if (out == 2) OUTPUT_TRANSFORM_2(M, P);
            else OUTPUT_TRANSFORM_4(M, P);
#undef M
#undef P
        }
    }
    long plane = s->out_height * s->out_width, y0 = out * ty, x0 = out * tx;
    float *image = output + n * s->out_channels * plane;
#if defined(__x86_64__)
    if (out == 4 && y0 + 4 <= s->out_height && x0 + 4 <= s->out_width) {
        store_rows4(pixels, Kp, s->out_channels, image + y0 * s->out_width + x0, s->out_width, plane);
        return;
    }
#endif
    for (int i = 0; i < out && y0 + i < s->out_height; i++) {
        for (int j = 0; j < out && x0 + j < s->out_width; j++) {
            float *pixel = image + (y0 + i) * s->out_width + x0 + j;
            const float *values = pixels + (i * out + j) * Kp;
            for (long k = 0; k < s->out_channels; k++) pixel[k * plane] = values[k];
        }
    }
}

/// m[ξ] = v[ξ] · u[ξ] for the first `used` slots (a multiple of six) of a group of `slots`:
/// per output, the channels' products added in channel order with FMA.
#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void products(const float *u, const float *v, long C, long Kp, long slots, long used, float *m) {
    for (long point = 0; point < POINTS; point++) {
        const float *up = u + point * C * Kp, *vp = v + point * slots * C;
        float *mp = m + point * slots * Kp;
        for (long k0 = 0; k0 < Kp; k0 += KB) {
            for (long s0 = 0; s0 < used; s0 += SB) {
                const float *v0 = vp + s0 * C;
                __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
                __m256 a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
                const float *uk = up + k0 * C;
                for (long c = 0; c < C; c++) {
                    __m256 w0 = _mm256_loadu_ps(uk + c * KB), w1 = _mm256_loadu_ps(uk + c * KB + 8);
                    __m256 x0 = _mm256_broadcast_ss(v0 + c), x1 = _mm256_broadcast_ss(v0 + C + c);
                    __m256 x2 = _mm256_broadcast_ss(v0 + 2 * C + c);
                    a00 = _mm256_fmadd_ps(x0, w0, a00); a01 = _mm256_fmadd_ps(x0, w1, a01);
                    a10 = _mm256_fmadd_ps(x1, w0, a10); a11 = _mm256_fmadd_ps(x1, w1, a11);
                    a20 = _mm256_fmadd_ps(x2, w0, a20); a21 = _mm256_fmadd_ps(x2, w1, a21);
                    __m256 x3 = _mm256_broadcast_ss(v0 + 3 * C + c), x4 = _mm256_broadcast_ss(v0 + 4 * C + c);
                    __m256 x5 = _mm256_broadcast_ss(v0 + 5 * C + c);
                    a30 = _mm256_fmadd_ps(x3, w0, a30); a31 = _mm256_fmadd_ps(x3, w1, a31);
                    a40 = _mm256_fmadd_ps(x4, w0, a40); a41 = _mm256_fmadd_ps(x4, w1, a41);
                    a50 = _mm256_fmadd_ps(x5, w0, a50); a51 = _mm256_fmadd_ps(x5, w1, a51);
                }
                float *out = mp + s0 * Kp + k0;
                _mm256_storeu_ps(out, a00); _mm256_storeu_ps(out + 8, a01); out += Kp;
                _mm256_storeu_ps(out, a10); _mm256_storeu_ps(out + 8, a11); out += Kp;
                _mm256_storeu_ps(out, a20); _mm256_storeu_ps(out + 8, a21); out += Kp;
                _mm256_storeu_ps(out, a30); _mm256_storeu_ps(out + 8, a31); out += Kp;
                _mm256_storeu_ps(out, a40); _mm256_storeu_ps(out + 8, a41); out += Kp;
                _mm256_storeu_ps(out, a50); _mm256_storeu_ps(out + 8, a51);
            }
        }
    }
}
#else
static void products(const float *u, const float *v, long C, long Kp, long slots, long used, float *m) {
    (void)u, (void)v, (void)C, (void)Kp, (void)slots, (void)used, (void)m;  // genlab_winograd_available() is 0 here
}
#endif

long genlab_winograd_workspace(const genlab_winograd_shape *s) {
    long C = s->in_channels, Kp = rounded(s->out_channels, KB), out = tile_outputs(s->taps);
    long across = POINTS * C > (out * TILE + out * out) * Kp ? POINTS * C : (out * TILE + out * out) * Kp;
    return POINTS * s->group * (C + Kp) + across;
}

/// genlab_winograd_correlate with `out` outputs a tile side, a constant where it is inlined.
static inline __attribute__((always_inline)) void correlate(const genlab_winograd_shape *s, const float *padded,
                                                            const float *u, long first, long count, float *output,
                                                            float *workspace, int out) {
    long C = s->in_channels, Kp = rounded(s->out_channels, KB), slots = s->group;
    long rows = out * s->tiles_y + TILE - out, columns = out * s->tiles_x + TILE - out;
    long tiles = s->images * s->tiles_y * s->tiles_x;
    float *v = workspace, *m = v + POINTS * slots * C, *scratch = m + POINTS * slots * Kp;
    float *pixels = scratch + out * TILE * Kp;
    for (long g = first; g < first + count; g++) {
        long t0 = g * slots, used = t0 + slots < tiles ? slots : tiles - t0;
        for (long slot = 0; slot < used; slot++) {
            long t = t0 + slot, tx = t % s->tiles_x, ty = t / s->tiles_x % s->tiles_y, n = t / s->tiles_x / s->tiles_y;
            const float *at = padded + ((n * rows + out * ty) * columns + out * tx) * C;
            input_tile(at, C, columns, slots, v + slot * C, scratch);
        }
        for (long slot = used; slot < rounded(used, SB); slot++)
            for (int point = 0; point < POINTS; point++) memset(v + (point * slots + slot) * C, 0, (size_t)C * sizeof(float));
        products(u, v, C, Kp, slots, rounded(used, SB), m);
        for (long slot = 0; slot < used; slot++) {
            long t = t0 + slot, tx = t % s->tiles_x, ty = t / s->tiles_x % s->tiles_y, n = t / s->tiles_x / s->tiles_y;
            output_tile(s, m + slot * Kp, slots, Kp, n, ty, tx, output, scratch, pixels, out);
        }
    }
}

CLONES void genlab_winograd_correlate(const genlab_winograd_shape *s, const float *padded, const float *u, long first,
                                      long count, float *output, float *workspace) {
    if (s->taps == 5) correlate(s, padded, u, first, count, output, workspace, 2);
    else correlate(s, padded, u, first, count, output, workspace, 4);
}
