// zlib: gzip-or-raw file reading (gzopen/gzread) for IDX datasets.
#include <zlib.h>
