// Zstandard (Debian: libzstd-dev), for parquet pages and Arrow IPC buffers written with the ZSTD codec.
#include <zstd.h>

// ZSTD_decompress into a buffer of exactly `capacity` bytes. Returns the number of bytes written, or -1 with `*error`
// set to zstd's message. (ZSTD_isError is a function, but its size_t error convention reads better wrapped.)
static inline long long embeval_zstd_decompress(void *dst, size_t capacity, const void *src, size_t size, const char **error) {
    size_t written = ZSTD_decompress(dst, capacity, src, size);
    if (ZSTD_isError(written)) {
        *error = ZSTD_getErrorName(written);
        return -1;
    }
    return (long long)written;
}

// The content size a frame header declares: -1 when the header does not say, -2 when it is not a zstd frame.
static inline long long embeval_zstd_declared_size(const void *src, size_t size) {
    unsigned long long declared = ZSTD_getFrameContentSize(src, size);
    if (declared == ZSTD_CONTENTSIZE_UNKNOWN) return -1;
    if (declared == ZSTD_CONTENTSIZE_ERROR) return -2;
    if (declared > (unsigned long long)0x7fffffffffffffffLL) return -2;
    return (long long)declared;
}
