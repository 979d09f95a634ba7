// What GenLab's oneDNN callers share (private to CKernels): the one CPU engine, the OpenMP
// call that holds oneDNN's team at one thread, and returning a failed status at once.
#ifndef GENLAB_ONEDNN_H
#define GENLAB_ONEDNN_H

#include <dnnl.h>

/// The process's CPU engine, made once; NULL when oneDNN cannot make one.
dnnl_engine_t genlab_engine(void);

/// libgomp's, which oneDNN runs on: the calling thread's parallel regions get this many threads.
void omp_set_num_threads(int count);

/// Returns the status of `call` when it is not success.
#define TRY(call)                                                                                  \
    do {                                                                                           \
        dnnl_status_t status_ = (call);                                                            \
        if (status_ != dnnl_success) return status_;                                               \
    } while (0)

#endif
