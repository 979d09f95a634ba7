// See channel_sums.h.
#include "channel_sums.h"
#include "clones.h"
#include "lane_sum.h"

CLONES void genlab_accumulate_channel_sums(const float *images, long batch, long channels, long plane, float *sums) {
    for (long c = 0; c < channels; c++) {
        double total = 0;
        for (long n = 0; n < batch; n++) {
            const float *x = images + (n * channels + c) * plane;
#define VALUE(i) x[i]
            total += LANE_SUM(plane, VALUE);
#undef VALUE
        }
        sums[c] = (float)(sums[c] + total);
    }
}

CLONES void genlab_accumulate_column_sums(const float *restrict g, long rows, long columns, float *restrict sums) {
    for (long row = 0; row < rows; row++)
        for (long j = 0; j < columns; j++) sums[j] += g[row * columns + j];
}
