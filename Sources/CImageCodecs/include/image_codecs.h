// PNG (libpng) and JPEG (libjpeg) decoding and encoding of 8-bit grey or RGB images.
// libjpeg reports errors by longjmp, which Swift cannot host, so the codecs live in C and
// return an error message instead.
#ifndef GENLAB_IMAGE_CODECS_H
#define GENLAB_IMAGE_CODECS_H

#include <stddef.h>

/// A decoded image: rows of width·channels bytes, top row first. Free `pixels` with
/// genlab_image_free.
typedef struct {
    int width;
    int height;
    int channels; // 1 (grey) or 3 (RGB); alpha is dropped
    unsigned char *pixels;
} genlab_image;

/// Decodes the PNG or JPEG file at `path` (chosen by its first bytes). Returns 0 on success;
/// otherwise -1 with a message in `error` (at most `error_size` bytes).
int genlab_image_decode(const char *path, genlab_image *image, char *error, size_t error_size);

/// Frees the pixels of a decoded image.
void genlab_image_free(genlab_image *image);

/// Writes `pixels` (height rows of width·channels bytes, channels 1 or 3) as a PNG file.
int genlab_png_encode(const char *path, const unsigned char *pixels, int width, int height, int channels,
                      char *error, size_t error_size);

/// Encodes `pixels` as PNG bytes in memory: `*bytes` (free it with free()) and `*size`.
int genlab_png_encode_to_memory(const unsigned char *pixels, int width, int height, int channels,
                                unsigned char **bytes, size_t *size, char *error, size_t error_size);

/// Writes `pixels` as a baseline JPEG file of the given quality (1–100).
int genlab_jpeg_encode(const char *path, const unsigned char *pixels, int width, int height, int channels,
                       int quality, char *error, size_t error_size);

#endif
