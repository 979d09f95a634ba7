// OpenBLAS's CBLAS interface plus its thread-count control (openblas_set_num_threads).
#include <cblas.h>
