#include "onednn.h"

#include <pthread.h>

static dnnl_engine_t engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static void engine_create(void) {
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
}

dnnl_engine_t genlab_engine(void) {
    pthread_once(&engine_once, engine_create);
    return engine;
}
