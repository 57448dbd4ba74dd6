// Thin C shims over libjpeg-turbo, libpng and libwebp. The first two report errors by longjmp, which Swift cannot
// catch, so each of their decoders here runs a whole decode under setjmp and returns 0 or a message in `error`;
// libwebp returns status codes, turned into the same kind of message.
// Pixels come back as the file stores them; colour conversions happen in Swift (Embeval/Imaging).
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Returned when an image's header declares more pixels than the caller allows (a decompression bomb).
#define IC_TOO_MANY_PIXELS 2

/// A JPEG being decoded. `components` is 1 (gray), 3 (RGB, libjpeg's YCbCr->RGB) or 4 (CMYK as stored: Adobe files
/// hold inverted values). `exif` is the first APP1 "Exif\0\0" payload without that prefix (NULL if none).
typedef struct {
    int width;
    int height;
    int components;
    unsigned char *exif;
    size_t exif_size;
    char error[256];
} ic_jpeg_image;

/// Chooses a reduced (DCT-domain) decode once the header is read, as Pillow's `Image.draft` does: called with
/// `context`, the stored width and height and the EXIF payload (NULL if none); returns n for a decode at 1/n of
/// the size in each dimension (rounded up), n = 1, 2, 4 or 8 (anything else decodes at full size).
typedef int (*ic_jpeg_scale_chooser)(void *context, int width, int height, const unsigned char *exif, size_t exif_size);

/// A JPEG decode in two steps, so that the pixels go straight into the caller's buffer. The encoded bytes must stay
/// in place until `ic_jpeg_end`.
typedef struct ic_jpeg_decoder ic_jpeg_decoder;

/// Reads the header of a JPEG held in memory and prepares libjpeg's default decode (islow DCT, fancy upsampling),
/// as Pillow does; at full size unless `choose_scale` (may be NULL) asks for less. Sets the output's `width`,
/// `height` and `components`, and `exif`. Returns 0, 1 on an error (message in `error`), or IC_TOO_MANY_PIXELS
/// when the header declares more than `max_pixels` pixels (then only `width` and `height` are set). Whatever it
/// returns, release `*decoder` with `ic_jpeg_end` and `out` with `ic_jpeg_free`.
int ic_jpeg_begin(const unsigned char *data, size_t size, size_t max_pixels, ic_jpeg_scale_chooser choose_scale,
                  void *context, ic_jpeg_image *out, ic_jpeg_decoder **decoder);
/// Decodes the rows into `pixels`, which must hold exactly width × height × components bytes. A premature end of data
/// is an error. Returns 0, or 1 on an error (message in `out->error`).
int ic_jpeg_read(ic_jpeg_decoder *decoder, unsigned char *pixels, size_t capacity, ic_jpeg_image *out);
/// Releases a decoder (NULL is allowed).
void ic_jpeg_end(ic_jpeg_decoder *decoder);
/// Releases the EXIF payload.
void ic_jpeg_free(ic_jpeg_image *image);

/// A decoded PNG: raw de-interlaced rows (`rowbytes` each, samples packed below 8 bits, 16-bit big-endian),
/// its bit depth and colour type (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA), the palette, and the
/// eXIf payload (NULL if none).
typedef struct {
    int width;
    int height;
    int bit_depth;
    int color_type;
    size_t rowbytes;
    unsigned char *pixels;
    unsigned char palette[768];
    int palette_count;
    unsigned char *exif;
    size_t exif_size;
    char error[256];
} ic_png_image;

/// Decodes a PNG held in memory without sample transformations. Returns 0, 1 on an error (message in `error`) or
/// IC_TOO_MANY_PIXELS (then only `width` and `height` are set); free with `ic_png_free`.
int ic_decode_png(const unsigned char *data, size_t size, size_t max_pixels, ic_png_image *out);
void ic_png_free(ic_png_image *image);

/// A decoded WebP: the first frame as RGB (alpha dropped, as Pillow's convert("RGB") does), the canvas size, the
/// number of frames, and the EXIF chunk's payload without an "Exif\0\0" prefix (NULL if none).
typedef struct {
    int width;
    int height;
    int frames;
    unsigned char *pixels;
    unsigned char *exif;
    size_t exif_size;
    char error[256];
} ic_webp_image;

/// Decodes a WebP held in memory (lossy or lossless, with or without alpha) as Pillow does: a still image with
/// libwebp's defaults, an animation's first frame composed on its zeroed canvas by WebPAnimDecoder (Pillow opens
/// every WebP through it). The canvas size is checked against `max_pixels` before anything is allocated for pixels.
/// Returns 0, 1 on an error (message in `error`) or IC_TOO_MANY_PIXELS (then only `width` and `height` are set);
/// free with `ic_webp_free`.
int ic_decode_webp(const unsigned char *data, size_t size, size_t max_pixels, ic_webp_image *out);
void ic_webp_free(ic_webp_image *image);

#ifdef __cplusplus
}
#endif
