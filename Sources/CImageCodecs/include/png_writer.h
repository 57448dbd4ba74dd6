// PNG writing through libpng, for Embeval's plots and thumbnails. libpng reports errors by longjmp, which Swift
// cannot catch, so the whole encode runs under setjmp here and the caller gets 0 or a message in `error`.
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An encoded PNG file held in memory. Free `data` with `pngw_buffer_free`.
typedef struct {
    unsigned char *data;
    size_t size;
    size_t capacity;
    char error[256];
} pngw_buffer;

/// Encodes 8-bit pixels, rows top to bottom without padding: `channels` 1 (gray), 3 (RGB) or 4 (RGBA).
/// `compression_level` is zlib's 0-9 (-1: libpng's default). Returns 0 on success.
int pngw_encode(const unsigned char *pixels, int width, int height, int channels, int compression_level,
                pngw_buffer *out);
void pngw_buffer_free(pngw_buffer *buffer);

#ifdef __cplusplus
}
#endif
