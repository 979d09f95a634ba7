// GenLab's C kernels: the loops that want AVX-512 and must not wait for Swift to emit it.
#include "batchnorm.h"
#include "im2col.h"
#include "adam.h"
#include "convolution.h"
#include "matmul.h"
#include "activations.h"
#include "normalization.h"
