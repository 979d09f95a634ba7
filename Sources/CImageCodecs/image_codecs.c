#include "image_codecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

static int fail(char *error, size_t size, const char *message) {
    if (error && size) snprintf(error, size, "%s", message);
    return -1;
}

/* The largest image decoded (2^26 pixels, e.g. 8192 x 8192): a header may claim any size,
   and a small compressed file can expand to gigabytes. */
#define GENLAB_MAX_IMAGE_PIXELS ((unsigned long long)1 << 26)

static int too_large(unsigned long long width, unsigned long long height, char *error, size_t size) {
    if (width * height <= GENLAB_MAX_IMAGE_PIXELS) return 0;
    if (error && size) {
        snprintf(error, size, "its header announces %llu x %llu pixels, more than GenLab decodes (%llu pixels)",
                 width, height, GENLAB_MAX_IMAGE_PIXELS);
    }
    return 1;
}

static int decode_png(const char *path, genlab_image *image, char *error, size_t error_size) {
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&png, path)) return fail(error, error_size, png.message);
    if (too_large(png.width, png.height, error, error_size)) {
        png_image_free(&png);
        return -1;
    }
    int grey = (png.format & PNG_FORMAT_FLAG_COLOR) == 0;
    png.format = grey ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    size_t size = PNG_IMAGE_SIZE(png);
    unsigned char *pixels = malloc(size);
    if (!pixels) {
        png_image_free(&png);
        return fail(error, error_size, "out of memory");
    }
    if (!png_image_finish_read(&png, NULL, pixels, 0, NULL)) {
        free(pixels);
        return fail(error, error_size, png.message);
    }
    image->width = (int)png.width;
    image->height = (int)png.height;
    image->channels = grey ? 1 : 3;
    image->pixels = pixels;
    return 0;
}

struct jpeg_failure {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void jpeg_fail(j_common_ptr info) {
    struct jpeg_failure *failure = (struct jpeg_failure *)info->err;
    (*info->err->format_message)(info, failure->message);
    longjmp(failure->jump, 1);
}

static int decode_jpeg(const char *path, genlab_image *image, char *error, size_t error_size) {
    FILE *file = fopen(path, "rb");
    if (!file) return fail(error, error_size, "cannot open the file");
    struct jpeg_decompress_struct info;
    struct jpeg_failure failure;
    unsigned char *volatile pixels = NULL;
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_fail;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&info);
        fclose(file);
        free(pixels);
        return fail(error, error_size, failure.message);
    }
    jpeg_create_decompress(&info);
    jpeg_stdio_src(&info, file);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    if (too_large(info.image_width, info.image_height, error, error_size)) {
        jpeg_destroy_decompress(&info);
        fclose(file);
        return -1;
    }
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * info.output_components;
    pixels = malloc(stride * info.output_height);
    if (!pixels) {
        jpeg_destroy_decompress(&info);
        fclose(file);
        return fail(error, error_size, "out of memory");
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    image->width = (int)info.output_width;
    image->height = (int)info.output_height;
    image->channels = info.output_components;
    image->pixels = pixels;
    jpeg_destroy_decompress(&info);
    fclose(file);
    return 0;
}

int genlab_image_decode(const char *path, genlab_image *image, char *error, size_t error_size) {
    memset(image, 0, sizeof *image);
    FILE *file = fopen(path, "rb");
    if (!file) return fail(error, error_size, "cannot open the file");
    unsigned char magic[8] = {0};
    size_t got = fread(magic, 1, sizeof magic, file);
    fclose(file);
    if (got >= 8 && png_sig_cmp(magic, 0, 8) == 0) return decode_png(path, image, error, error_size);
    if (got >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) return decode_jpeg(path, image, error, error_size);
    return fail(error, error_size, "not a PNG or JPEG file");
}

void genlab_image_free(genlab_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}

static void png_describe(png_image *png, int width, int height, int channels) {
    memset(png, 0, sizeof *png);
    png->version = PNG_IMAGE_VERSION;
    png->width = (png_uint_32)width;
    png->height = (png_uint_32)height;
    png->format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
}

int genlab_png_encode(const char *path, const unsigned char *pixels, int width, int height, int channels,
                      char *error, size_t error_size) {
    if (channels != 1 && channels != 3) return fail(error, error_size, "channels must be 1 or 3");
    png_image png;
    png_describe(&png, width, height, channels);
    if (!png_image_write_to_file(&png, path, 0, pixels, 0, NULL)) return fail(error, error_size, png.message);
    return 0;
}

int genlab_png_encode_to_memory(const unsigned char *pixels, int width, int height, int channels,
                                unsigned char **bytes, size_t *size, char *error, size_t error_size) {
    *bytes = NULL;
    *size = 0;
    if (channels != 1 && channels != 3) return fail(error, error_size, "channels must be 1 or 3");
    png_image png;
    png_describe(&png, width, height, channels);
    png_alloc_size_t needed = 0;
    if (!png_image_write_to_memory(&png, NULL, &needed, 0, pixels, 0, NULL)) return fail(error, error_size, png.message);
    *bytes = malloc(needed ? needed : 1);
    if (!*bytes) return fail(error, error_size, "out of memory");
    png_describe(&png, width, height, channels);
    if (!png_image_write_to_memory(&png, *bytes, &needed, 0, pixels, 0, NULL)) {
        free(*bytes);
        *bytes = NULL;
        return fail(error, error_size, png.message);
    }
    *size = needed;
    return 0;
}

int genlab_jpeg_encode(const char *path, const unsigned char *pixels, int width, int height, int channels,
                       int quality, char *error, size_t error_size) {
    if (channels != 1 && channels != 3) return fail(error, error_size, "channels must be 1 or 3");
    FILE *file = fopen(path, "wb");
    if (!file) return fail(error, error_size, "cannot create the file");
    struct jpeg_compress_struct info;
    struct jpeg_failure failure;
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_fail;
    if (setjmp(failure.jump)) {
        jpeg_destroy_compress(&info);
        fclose(file);
        return fail(error, error_size, failure.message);
    }
    jpeg_create_compress(&info);
    jpeg_stdio_dest(&info, file);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)width * channels;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * info.next_scanline);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    if (fclose(file) != 0) return fail(error, error_size, "cannot write the file");
    return 0;
}
