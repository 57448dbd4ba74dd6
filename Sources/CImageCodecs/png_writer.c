#include "png_writer.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pngw_append(png_structp png, png_bytep bytes, png_size_t length) {
    pngw_buffer *out = (pngw_buffer *)png_get_io_ptr(png);
    if (out->size + length > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 65536;
        while (capacity < out->size + length) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(out->data, capacity);
        if (!grown) png_error(png, "out of memory");
        out->data = grown;
        out->capacity = capacity;
    }
    memcpy(out->data + out->size, bytes, length);
    out->size += length;
}

static void pngw_flush(png_structp png) { (void)png; }

static void pngw_on_error(png_structp png, png_const_charp message) {
    pngw_buffer *out = (pngw_buffer *)png_get_error_ptr(png);
    snprintf(out->error, sizeof out->error, "libpng: %s", message);
    png_longjmp(png, 1);
}

static void pngw_on_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

int pngw_encode(const unsigned char *pixels, int width, int height, int channels, int compression_level,
                pngw_buffer *out) {
    memset(out, 0, sizeof *out);
    if (width <= 0 || height <= 0 || !pixels) {
        snprintf(out->error, sizeof out->error, "cannot encode an empty %dx%d image", width, height);
        return 1;
    }
    int color_type;
    switch (channels) {
    case 1: color_type = PNG_COLOR_TYPE_GRAY; break;
    case 3: color_type = PNG_COLOR_TYPE_RGB; break;
    case 4: color_type = PNG_COLOR_TYPE_RGB_ALPHA; break;
    default:
        snprintf(out->error, sizeof out->error, "unsupported channel count %d", channels);
        return 1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, out, pngw_on_error, pngw_on_warning);
    if (!png) {
        snprintf(out->error, sizeof out->error, "libpng: cannot create a write struct");
        return 1;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(out->error, sizeof out->error, "libpng: cannot create an info struct");
        return 1;
    }
    /* Row pointers are allocated before setjmp so the error path can free them. */
    png_bytep *volatile rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)height);
    if (!rows) {
        png_destroy_write_struct(&png, &info);
        snprintf(out->error, sizeof out->error, "out of memory");
        return 1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(rows);
        free(out->data);
        out->data = NULL;
        out->size = out->capacity = 0;
        if (!out->error[0]) snprintf(out->error, sizeof out->error, "libpng: encoding failed");
        return 1;
    }
    png_set_write_fn(png, out, pngw_append, pngw_flush);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (compression_level >= 0 && compression_level <= 9) png_set_compression_level(png, compression_level);
    size_t stride = (size_t)width * (size_t)channels;
    for (int y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + (size_t)y * stride);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    return 0;
}

void pngw_buffer_free(pngw_buffer *buffer) {
    if (!buffer) return;
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = buffer->capacity = 0;
}
