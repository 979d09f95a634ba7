#include "arena.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct {
    char *data;
    size_t size;
} arena;

static pthread_key_t keys[ARENA_KINDS];
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;
static void arena_free(void *a) {
    free(((arena *)a)->data);
    free(a);
}
static void keys_create(void) {
    for (int i = 0; i < ARENA_KINDS; i++) pthread_key_create(&keys[i], arena_free);
}

char *arena_borrow(int which, size_t bytes) {
    pthread_once(&keys_once, keys_create);
    arena *a = pthread_getspecific(keys[which]);
    if (!a) {
        if (!(a = calloc(1, sizeof *a)) || pthread_setspecific(keys[which], a) != 0) {
            free(a);
            return NULL;
        }
    }
    if (a->size < bytes) {
        free(a->data);
        a->size = 0;
        if (!(a->data = aligned_alloc(64, arena_rounded(bytes)))) return NULL;
        a->size = bytes;
    }
    return a->data;
}

void arena_trim(int which) {
    pthread_once(&keys_once, keys_create);
    arena *a = pthread_getspecific(keys[which]);
    if (!a || a->size <= ((size_t)64 << 20)) return;
    free(a->data);
    a->data = NULL;
    a->size = 0;
}
