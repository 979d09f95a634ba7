// The calling thread's scratch buffers (private to CKernels): grown to the largest call,
// kept between calls, freed when the thread ends.
#ifndef GENLAB_ARENA_H
#define GENLAB_ARENA_H

#include <stddef.h>

/// Each thread has one arena per use: a convolution part's buffers, what a convolution's
/// caller shares with its parts (the reordered weights), and a bfloat16 matrix product's
/// rounded operands.
enum { ARENA_PART, ARENA_CALLER, ARENA_PRODUCT, ARENA_KINDS };

/// One of the calling thread's arenas, of at least `bytes` (64-byte aligned), or NULL when
/// it cannot grow.
char *arena_borrow(int which, size_t bytes);

/// Frees one of the calling thread's arenas when it has grown past 64 MiB (an evaluation
/// over a large batch), so that it does not hold that memory until the thread ends.
void arena_trim(int which);

/// `bytes` rounded up to a multiple of 64.
static inline size_t arena_rounded(size_t bytes) { return (bytes + 63) / 64 * 64; }

#endif
