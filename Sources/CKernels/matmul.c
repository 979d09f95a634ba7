#include "matmul.h"
#include "arena.h"
#include "cpu_features.h"
#include "onednn.h"

#include <immintrin.h>

#include <cblas.h>
#include <dnnl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


_Static_assert(GENLAB_MATMUL_OUT_OF_MEMORY == dnnl_out_of_memory, "the header's status is oneDNN's");

/// `x` rounded to bfloat16, to nearest even; a NaN stays a (quiet) NaN. Branch-free, so that
/// the loops below vectorise.
static inline uint16_t to_bf16(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1)) >> 16;
    uint32_t nan = (bits >> 16) | 0x40;
    return (uint16_t)((bits & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
}

#if defined(__x86_64__)
#define AVX512 __attribute__((target("avx512f")))

/// `to_bf16` on 16 floats at once, each in the low half of its lane.
static inline AVX512 __m512i round16(const float *from) {
    const __m512i one = _mm512_set1_epi32(1), half = _mm512_set1_epi32(0x7fff), quiet = _mm512_set1_epi32(0x40);
    const __m512i magnitude = _mm512_set1_epi32(0x7fffffff), infinity = _mm512_set1_epi32(0x7f800000);
    __m512i bits = _mm512_loadu_si512(from), high = _mm512_srli_epi32(bits, 16);
    __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(bits, _mm512_add_epi32(half, _mm512_and_si512(high, one))), 16);
    __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(bits, magnitude), infinity);
    return _mm512_mask_mov_epi32(rounded, nan, _mm512_or_si512(high, quiet));
}

static AVX512 void round_to_bf16_avx512(const float *from, uint16_t *to, long count) {
    long j = 0;
    for (; j + 16 <= count; j += 16) _mm256_storeu_si256((__m256i *)(to + j), _mm512_cvtepi32_epi16(round16(from + j)));
    for (; j < count; j++) to[j] = to_bf16(from[j]);
}

static AVX512 void round_in_float_avx512(const float *from, float *to, long count) {
    long j = 0;
    for (; j + 16 <= count; j += 16) _mm512_storeu_si512(to + j, _mm512_slli_epi32(round16(from + j), 16));
    for (; j < count; j++) {
        uint32_t bits = (uint32_t)to_bf16(from[j]) << 16;
        memcpy(&to[j], &bits, sizeof bits);
    }
}

static int has_avx512(void) { return (genlab_cpu_features() & GENLAB_CPU_AVX512F) != 0; }
#endif

void genlab_round_bf16(const float *source, float *destination, long count) {
#if defined(__x86_64__)
    if (has_avx512()) {
        round_in_float_avx512(source, destination, count);
        return;
    }
#endif
    for (long i = 0; i < count; i++) {
        uint32_t bits = (uint32_t)to_bf16(source[i]) << 16;
        memcpy(&destination[i], &bits, sizeof bits);
    }
}

/// A matrix of `rows` × `cols` stored with row stride `ld`, rounded into `out` densely.
static void pack(long rows, long cols, const float *m, long ld, uint16_t *out) {
    for (long i = 0; i < rows; i++) {
#if defined(__x86_64__)
        if (has_avx512()) {
            round_to_bf16_avx512(m + i * ld, out + i * cols, cols);
            continue;
        }
#endif
        for (long j = 0; j < cols; j++) out[i * cols + j] = to_bf16(m[i * ld + j]);
    }
}

/// A matmul primitive for one product's sizes, strides and coefficients.
typedef struct product {
    int trans_a, trans_b;
    long m, n, k;
    float alpha, beta;
    dnnl_primitive_t primitive;
    dnnl_memory_t a, b, c, scratchpad;
    dnnl_stream_t stream;
    size_t scratch_bytes;
    char implementation[64]; // oneDNN's name for its kernel ("" when it has none)
    int amx; // oneDNN multiplies it on AMX tiles; else the float kernels take rounded operands
    struct product *next;
} product;

/// Each thread keeps the products it ran last (a training step repeats the same few dozen),
/// most recent first.
enum { KEPT_PRODUCTS = 64 };
static pthread_key_t products_key;
static pthread_once_t products_once = PTHREAD_ONCE_INIT;

static void product_destroy(product *p) {
    if (p->primitive) dnnl_primitive_destroy(p->primitive);
    if (p->stream) dnnl_stream_destroy(p->stream);
    dnnl_memory_t memories[] = {p->a, p->b, p->c, p->scratchpad};
    for (int i = 0; i < 4; i++)
        if (memories[i]) dnnl_memory_destroy(memories[i]);
    free(p);
}
static void products_free(void *list) {
    for (product *p = list, *next; p; p = next) {
        next = p->next;
        product_destroy(p);
    }
}
static void products_start(void) {
    pthread_key_create(&products_key, products_free);
}


static dnnl_status_t build(product *p) {
    // the operands as packed (dense in their stored layout): a transposed one by its strides
    dnnl_dims_t a_dims = {p->m, p->k}, b_dims = {p->k, p->n}, c_dims = {p->m, p->n};
    dnnl_dims_t a_strides = {p->trans_a ? 1 : p->k, p->trans_a ? p->m : 1};
    dnnl_dims_t b_strides = {p->trans_b ? 1 : p->n, p->trans_b ? p->k : 1};
    dnnl_memory_desc_t a_md, b_md, c_md, scratch_md;
    TRY(dnnl_memory_desc_init_by_strides(&a_md, 2, a_dims, dnnl_bf16, a_strides));
    TRY(dnnl_memory_desc_init_by_strides(&b_md, 2, b_dims, dnnl_bf16, b_strides));
    TRY(dnnl_memory_desc_init_by_tag(&c_md, 2, c_dims, dnnl_f32, dnnl_ab));
    dnnl_matmul_desc_t d;
    TRY(dnnl_matmul_desc_init(&d, &a_md, &b_md, NULL, &c_md));
    dnnl_primitive_attr_t attr;
    TRY(dnnl_primitive_attr_create(&attr));
    dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (p->alpha != 1) dnnl_primitive_attr_set_output_scales(attr, 0, 0, &p->alpha);
    dnnl_post_ops_t sum = NULL;
    if (p->beta != 0) { // C = product + beta · C, one rounding per element
        dnnl_post_ops_create(&sum);
        dnnl_post_ops_append_sum(sum, p->beta);
        dnnl_primitive_attr_set_post_ops(attr, sum);
    }
    dnnl_primitive_desc_t pd;
    dnnl_status_t status = dnnl_primitive_desc_create(&pd, &d, attr, genlab_engine(), NULL);
    if (sum) dnnl_post_ops_destroy(sum);
    dnnl_primitive_attr_destroy(attr);
    if (status != dnnl_success) return status;
    const dnnl_memory_desc_t *scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    p->scratch_bytes = scratch ? dnnl_memory_desc_get_size(scratch) : 0;
    const char *name = NULL; // the descriptor's, gone with it: copied
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
    snprintf(p->implementation, sizeof p->implementation, "%s", name ? name : "");
    p->amx = strncmp(p->implementation, "brg:avx512_core_amx", 19) == 0;
    status = dnnl_primitive_create(&p->primitive, pd);
    dnnl_primitive_desc_destroy(pd);
    if (status != dnnl_success) return status;
    dnnl_dims_t scratch_dims = {1};
    TRY(dnnl_memory_desc_init_by_tag(&scratch_md, 1, scratch_dims, dnnl_u8, dnnl_a));
    TRY(dnnl_memory_create(&p->a, &a_md, genlab_engine(), DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&p->b, &b_md, genlab_engine(), DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&p->c, &c_md, genlab_engine(), DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&p->scratchpad, &scratch_md, genlab_engine(), DNNL_MEMORY_NONE));
    TRY(dnnl_stream_create(&p->stream, genlab_engine(), dnnl_stream_default_flags));
    return dnnl_success;
}

/// The calling thread's primitive for these sizes, built when it has none (the least recently
/// used of its kept ones goes); one oneDNN cannot build is kept without a primitive (not AMX).
static dnnl_status_t find(int trans_a, int trans_b, long m, long n, long k, float alpha, float beta, product **found) {
    pthread_once(&products_once, products_start);
    if (!genlab_engine()) return dnnl_runtime_error;
    product *head = pthread_getspecific(products_key), *previous = NULL;
    int kept = 0;
    for (product *p = head; p; previous = p, p = p->next, kept++) {
        if (p->trans_a == trans_a && p->trans_b == trans_b && p->m == m && p->n == n && p->k == k &&
            p->alpha == alpha && p->beta == beta) {
            if (previous) { // to the front
                previous->next = p->next;
                p->next = head;
                pthread_setspecific(products_key, p);
            }
            *found = p;
            return dnnl_success;
        }
    }
    product *p = calloc(1, sizeof *p);
    if (!p) return dnnl_out_of_memory;
    *p = (product){.trans_a = trans_a, .trans_b = trans_b, .m = m, .n = n, .k = k, .alpha = alpha, .beta = beta};
    dnnl_status_t status = build(p);
    if (status == dnnl_out_of_memory) {
        product_destroy(p);
        return status;
    }
    if (status != dnnl_success) { // no bfloat16 matmul on this CPU: kept as such, multiplied rounded
        if (p->primitive) dnnl_primitive_destroy(p->primitive);
        p->primitive = NULL;
        p->amx = 0;
    }
    if (kept >= KEPT_PRODUCTS) { // the last one goes
        product **end = &head;
        while ((*end)->next) end = &(*end)->next;
        product_destroy(*end);
        *end = NULL;
    }
    p->next = head;
    pthread_setspecific(products_key, p);
    *found = p;
    return dnnl_success;
}

/// `multiply` where oneDNN has no AMX kernel for the sizes (AVX512-BF16 alone, or a product
/// it runs through its generic gemm): the operands rounded to bfloat16 values, kept in float,
/// multiplied by OpenBLAS's float kernels. The same products (a product of two bfloat16 values
/// is exact in float), summed in float; measured faster than oneDNN's bfloat16 gemm at every
/// shape of the reference models that reached it.
static dnnl_status_t multiply_rounded(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a,
                                      long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    long a_rows = trans_a ? k : m, a_cols = trans_a ? m : k, b_rows = trans_b ? n : k, b_cols = trans_b ? k : n;
    size_t a_bytes = arena_rounded(sizeof(float) * m * k);
    char *arena = arena_borrow(ARENA_PRODUCT, a_bytes + sizeof(float) * k * n);
    if (!arena) return dnnl_out_of_memory;
    float *a_rounded = (float *)arena, *b_rounded = (float *)(arena + a_bytes);
    for (long i = 0; i < a_rows; i++) genlab_round_bf16(a + i * lda, a_rounded + i * a_cols, a_cols);
    for (long i = 0; i < b_rows; i++) genlab_round_bf16(b + i * ldb, b_rounded + i * b_cols, b_cols);
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n,
                (int)k, alpha, a_rounded, (int)a_cols, b_rounded, (int)b_cols, beta, c, (int)ldc);
    return dnnl_success;
}

static dnnl_status_t multiply(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                              const float *b, long ldb, float beta, float *c, long ldc) {
    product *p;
    TRY(find(trans_a, trans_b, m, n, k, alpha, beta, &p));
    if (!p->amx) return multiply_rounded(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    // oneDNN's AMX kernels write C densely: a block of a wider C (ldc > n) goes through a copy
    int strided = ldc != n;
    size_t a_bytes = arena_rounded(sizeof(uint16_t) * m * k), b_bytes = arena_rounded(sizeof(uint16_t) * k * n);
    size_t c_bytes = strided ? arena_rounded(sizeof(float) * m * n) : 0;
    char *arena = arena_borrow(ARENA_PRODUCT, a_bytes + b_bytes + c_bytes + p->scratch_bytes);
    if (!arena) return dnnl_out_of_memory;
    float *dense = strided ? (float *)(arena + a_bytes + b_bytes) : c;
    if (strided && beta != 0)
        for (long i = 0; i < m; i++) memcpy(dense + i * n, c + i * ldc, sizeof(float) * n);
    pack(trans_a ? k : m, trans_a ? m : k, a, lda, (uint16_t *)arena);
    pack(trans_b ? n : k, trans_b ? k : n, b, ldb, (uint16_t *)(arena + a_bytes));
    TRY(dnnl_memory_set_data_handle(p->a, arena));
    TRY(dnnl_memory_set_data_handle(p->b, arena + a_bytes));
    TRY(dnnl_memory_set_data_handle(p->c, dense));
    TRY(dnnl_memory_set_data_handle(p->scratchpad, arena + a_bytes + b_bytes + c_bytes));
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, p->a}, {DNNL_ARG_WEIGHTS, p->b}, {DNNL_ARG_DST, p->c},
                               {DNNL_ARG_SCRATCHPAD, p->scratchpad}};
    omp_set_num_threads(1);
    dnnl_status_t status = dnnl_primitive_execute(p->primitive, p->stream, 4, args);
    if (strided && status == dnnl_success)
        for (long i = 0; i < m; i++) memcpy(c + i * ldc, dense + i * n, sizeof(float) * n);
    return status;
}

int genlab_gemm_bf16(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                     const float *b, long ldb, float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return dnnl_success;
    if (k <= 0) { // nothing multiplied: C = beta · C
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
        return dnnl_success;
    }
    dnnl_status_t status = multiply(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    arena_trim(ARENA_PRODUCT);
    return status;
}

const char *genlab_gemm_bf16_implementation(int trans_a, int trans_b, long m, long n, long k) {
    product *p;
    return find(trans_a, trans_b, m, n, k, 1, 0, &p) == dnnl_success ? p->implementation : "";
}
