// OpenBLAS's CBLAS interface plus its thread-count control (openblas_set_num_threads).
#include <cblas.h>

// OpenBLAS's table of work buffers, exported by libopenblas but not in its public headers:
// `blas_memory_alloc` takes a buffer from the table (mapping a new one when every buffer is
// in use), `blas_memory_free` gives it back. GenLab reserves its buffers up front with them
// (see BLAS.reserveWorkBuffers).
void *blas_memory_alloc(int procpos);
void blas_memory_free(void *buffer);
