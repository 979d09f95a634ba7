#include "matmul.h"
#include "arena.h"

#include <dnnl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void omp_set_num_threads(int count);

_Static_assert(GENLAB_MATMUL_OUT_OF_MEMORY == dnnl_out_of_memory, "the header's status is oneDNN's");

static inline uint16_t to_bf16(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40); // quiet NaN
    bits += 0x7fffu + ((bits >> 16) & 1);
    return (uint16_t)(bits >> 16);
}

void genlab_round_bf16(const float *source, float *destination, long count) {
    for (long i = 0; i < count; i++) {
        uint32_t bits = (uint32_t)to_bf16(source[i]) << 16;
        memcpy(&destination[i], &bits, sizeof bits);
    }
}

/// op(M) (rows × cols after op; stored with row stride `ld`) rounded into `out`, row-major.
static void pack(int transposed, long rows, long cols, const float *m, long ld, uint16_t *out) {
    if (!transposed) {
        for (long i = 0; i < rows; i++)
            for (long j = 0; j < cols; j++) out[i * cols + j] = to_bf16(m[i * ld + j]);
    } else { // stored cols × rows: read along the stored rows, write down the columns
        for (long j = 0; j < cols; j++)
            for (long i = 0; i < rows; i++) out[i * cols + j] = to_bf16(m[j * ld + i]);
    }
}

/// A matmul primitive for one product's sizes, strides and coefficients.
typedef struct product {
    long m, n, k, ldc;
    float alpha, beta;
    dnnl_primitive_t primitive;
    dnnl_memory_t a, b, c, scratchpad;
    size_t scratch_bytes;
    const char *implementation;
    struct product *next;
} product;

/// Each thread keeps the products it ran last (a training step repeats the same few dozen),
/// most recent first.
enum { KEPT_PRODUCTS = 64 };
static pthread_key_t products_key;
static pthread_once_t products_once = PTHREAD_ONCE_INIT;
static dnnl_engine_t engine;

static void product_destroy(product *p) {
    if (p->primitive) dnnl_primitive_destroy(p->primitive);
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
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
}

#define TRY(call)                                                                                  \
    do {                                                                                           \
        dnnl_status_t status_ = (call);                                                            \
        if (status_ != dnnl_success) return status_;                                               \
    } while (0)

static dnnl_status_t build(product *p) {
    dnnl_dims_t a_dims = {p->m, p->k}, b_dims = {p->k, p->n}, c_dims = {p->m, p->n}, c_strides = {p->ldc, 1};
    dnnl_memory_desc_t a_md, b_md, c_md, scratch_md;
    TRY(dnnl_memory_desc_init_by_tag(&a_md, 2, a_dims, dnnl_bf16, dnnl_ab));
    TRY(dnnl_memory_desc_init_by_tag(&b_md, 2, b_dims, dnnl_bf16, dnnl_ab));
    TRY(dnnl_memory_desc_init_by_strides(&c_md, 2, c_dims, dnnl_f32, c_strides));
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
    dnnl_status_t status = dnnl_primitive_desc_create(&pd, &d, attr, engine, NULL);
    if (sum) dnnl_post_ops_destroy(sum);
    dnnl_primitive_attr_destroy(attr);
    if (status != dnnl_success) return status;
    const dnnl_memory_desc_t *scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    p->scratch_bytes = scratch ? dnnl_memory_desc_get_size(scratch) : 0;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &p->implementation);
    status = dnnl_primitive_create(&p->primitive, pd);
    dnnl_primitive_desc_destroy(pd);
    if (status != dnnl_success) return status;
    dnnl_dims_t scratch_dims = {1};
    TRY(dnnl_memory_desc_init_by_tag(&scratch_md, 1, scratch_dims, dnnl_u8, dnnl_a));
    TRY(dnnl_memory_create(&p->a, &a_md, engine, DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&p->b, &b_md, engine, DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&p->c, &c_md, engine, DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&p->scratchpad, &scratch_md, engine, DNNL_MEMORY_NONE));
    return dnnl_success;
}

/// The calling thread's primitive for these sizes, built when it has none (the least recently
/// used of its kept ones goes).
static dnnl_status_t find(long m, long n, long k, long ldc, float alpha, float beta, product **found) {
    pthread_once(&products_once, products_start);
    if (!engine) return dnnl_runtime_error;
    product *head = pthread_getspecific(products_key), *previous = NULL;
    int kept = 0;
    for (product *p = head; p; previous = p, p = p->next, kept++) {
        if (p->m == m && p->n == n && p->k == k && p->ldc == ldc && p->alpha == alpha && p->beta == beta) {
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
    *p = (product){.m = m, .n = n, .k = k, .ldc = ldc, .alpha = alpha, .beta = beta};
    dnnl_status_t status = build(p);
    if (status != dnnl_success) {
        product_destroy(p);
        return status;
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

static dnnl_status_t multiply(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                              const float *b, long ldb, float beta, float *c, long ldc) {
    product *p;
    TRY(find(m, n, k, ldc, alpha, beta, &p));
    size_t a_bytes = arena_rounded(sizeof(uint16_t) * m * k), b_bytes = arena_rounded(sizeof(uint16_t) * k * n);
    char *arena = arena_borrow(ARENA_PRODUCT, a_bytes + b_bytes + p->scratch_bytes);
    if (!arena) return dnnl_out_of_memory;
    pack(trans_a, m, k, a, lda, (uint16_t *)arena);
    pack(trans_b, k, n, b, ldb, (uint16_t *)(arena + a_bytes));
    TRY(dnnl_memory_set_data_handle(p->a, arena));
    TRY(dnnl_memory_set_data_handle(p->b, arena + a_bytes));
    TRY(dnnl_memory_set_data_handle(p->c, c));
    TRY(dnnl_memory_set_data_handle(p->scratchpad, arena + a_bytes + b_bytes));
    dnnl_stream_t stream;
    TRY(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, p->a}, {DNNL_ARG_WEIGHTS, p->b}, {DNNL_ARG_DST, p->c},
                               {DNNL_ARG_SCRATCHPAD, p->scratchpad}};
    omp_set_num_threads(1);
    dnnl_status_t status = dnnl_primitive_execute(p->primitive, stream, 4, args);
    dnnl_stream_destroy(stream);
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

const char *genlab_gemm_bf16_implementation(long m, long n, long k) {
    product *p;
    return find(m, n, k, n, 1, 0, &p) == dnnl_success && p->implementation ? p->implementation : "";
}
