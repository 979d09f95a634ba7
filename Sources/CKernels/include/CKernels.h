// GenLab's C kernels: the loops that want AVX-512 or AVX2 and must not wait for Swift to emit them.
#include "batchnorm.h"
#include "im2col.h"
#include "adam.h"
#include "convolution.h"
#include "matmul.h"
#include "activations.h"
#include "normalization.h"
#include "channel_sums.h"
