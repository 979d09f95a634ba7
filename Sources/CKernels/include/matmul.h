// Matrix products in bfloat16 with float accumulation, through oneDNN's matmul (AMX tiles
// or AVX512-BF16 where the CPU has them).
#ifndef GENLAB_MATMUL_H
#define GENLAB_MATMUL_H

/// C = alpha · op(A) · op(B) + beta · C, row-major like cblas_sgemm (A is m × k after op, B
/// k × n, C m × n; lda, ldb, ldc the row strides as stored), with op(A) and op(B) rounded to
/// bfloat16 (to nearest even) and the products summed in float. Runs on the calling thread
/// alone; the bits depend on the shapes only. Returns 0, GENLAB_MATMUL_OUT_OF_MEMORY when
/// the thread's buffers cannot grow, or another oneDNN status (invalid arguments: a bug).
int genlab_gemm_bf16(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                     const float *b, long ldb, float beta, float *c, long ldc);

/// oneDNN's implementation of a bfloat16 product of these sizes and transpositions, for
/// instance "brg:avx512_core_amx_bf16", or "" when it has none.
const char *genlab_gemm_bf16_implementation(int trans_a, int trans_b, long m, long n, long k);

/// Rounds `count` floats to bfloat16 (to nearest even; NaN stays NaN) and back: the values a
/// bfloat16 product multiplies.
void genlab_round_bf16(const float *source, float *destination, long count);

enum { GENLAB_MATMUL_OUT_OF_MEMORY = 1 };

#endif
