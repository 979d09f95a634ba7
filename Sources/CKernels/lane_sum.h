// Sums of many floats in a fixed order whatever the clone: sixteen float lanes (one AVX-512
// register, two AVX2 ones, four SSE ones, each lane summed in order), added up in double.
#ifndef GENLAB_LANE_SUM_H
#define GENLAB_LANE_SUM_H

#define LANES 16

/// Σ term(i) over i < count in sixteen float lanes, then in double.
#define LANE_SUM(count, term)                                                   \
    ({                                                                          \
        float lanes[LANES] = {0};                                               \
        long whole = (count) / LANES * LANES;                                   \
        for (long i = 0; i < whole; i += LANES)                                 \
            for (int j = 0; j < LANES; j++) lanes[j] += (term(i + j));          \
        double total = 0;                                                       \
        for (int j = 0; j < LANES; j++) total += lanes[j];                      \
        for (long i = whole; i < (count); i++) total += (term(i));              \
        total;                                                                  \
    })

#endif
