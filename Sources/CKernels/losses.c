// See losses.h.
#include "losses.h"
#include "clones.h"
#include "lane_math.h"

#define CHUNK 512
#define DOUBLE_LANES 8

static inline __attribute__((always_inline)) float clamped_log(float x) {
    float l = log_lanes(x);
    return l < -100 ? -100 : l; // NaN stays NaN
}

CLONES double genlab_bce_sum(const float *restrict x, const float *restrict t, long count) {
    double lanes[DOUBLE_LANES] = {0};
    float terms[CHUNK];
    for (long start = 0; start < count; start += CHUNK) {
        long n = count - start < CHUNK ? count - start : CHUNK;
        const float *xs = x + start, *ts = t + start;
        for (long i = 0; i < n; i++) terms[i] = -(ts[i] * clamped_log(xs[i]) + (1 - ts[i]) * clamped_log(1 - xs[i]));
        for (long i = n; i < (n + DOUBLE_LANES - 1) / DOUBLE_LANES * DOUBLE_LANES; i++) terms[i] = 0;
        for (long i = 0; i < n; i += DOUBLE_LANES)
            for (int j = 0; j < DOUBLE_LANES; j++) lanes[j] += terms[i + j];
    }
    double total = 0;
    for (int j = 0; j < DOUBLE_LANES; j++) total += lanes[j];
    return total;
}
