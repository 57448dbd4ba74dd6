// Decoders for Embeval's Imaging layer; see include/image_codecs.h.
#include "image_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <webp/decode.h>
#include <webp/demux.h>

/* ---------------------------------------------------------------- JPEG */

struct jpeg_failure {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char *message;  /* points at the caller's ic_jpeg_image.error */
};

static void jpeg_fail(j_common_ptr cinfo) {
    struct jpeg_failure *failure = (struct jpeg_failure *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    failure->mgr.format_message(cinfo, text);
    snprintf(failure->message, 256, "%s", text);
    longjmp(failure->jump, 1);
}

/* Warnings are ignored (as Pillow does), except running out of data: Pillow reports a truncated file. */
static void jpeg_message(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        jpeg_fail(cinfo);
    }
}

static void jpeg_ignore_output(j_common_ptr cinfo) { (void)cinfo; }

struct ic_jpeg_decoder {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_failure failure;
};

int ic_jpeg_begin(const unsigned char *data, size_t size, size_t max_pixels, ic_jpeg_scale_chooser choose_scale,
                  void *context, ic_jpeg_image *out, ic_jpeg_decoder **decoder) {
    memset(out, 0, sizeof(*out));
    *decoder = NULL;
    if (size == 0) {
        snprintf(out->error, sizeof(out->error), "empty file");
        return 1;
    }
    struct ic_jpeg_decoder *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        snprintf(out->error, sizeof(out->error), "out of memory");
        return 1;
    }
    /* From here on the caller releases `d` with ic_jpeg_end, whatever happens. */
    *decoder = d;
    d->cinfo.err = jpeg_std_error(&d->failure.mgr);
    d->failure.mgr.error_exit = jpeg_fail;
    d->failure.mgr.emit_message = jpeg_message;
    d->failure.mgr.output_message = jpeg_ignore_output;
    d->failure.message = out->error;
    if (setjmp(d->failure.jump)) {
        return 1;
    }
    jpeg_create_decompress(&d->cinfo);
    jpeg_mem_src(&d->cinfo, data, (unsigned long)size);
    jpeg_save_markers(&d->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&d->cinfo, TRUE);
    if ((unsigned long long)d->cinfo.image_width * d->cinfo.image_height > (unsigned long long)max_pixels) {
        out->width = (int)d->cinfo.image_width;
        out->height = (int)d->cinfo.image_height;
        return IC_TOO_MANY_PIXELS;
    }

    for (jpeg_saved_marker_ptr m = d->cinfo.marker_list; m != NULL; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
            size_t n = m->data_length - 6;
            out->exif = malloc(n ? n : 1);
            if (out->exif == NULL) {
                snprintf(out->error, sizeof(out->error), "out of memory");
                return 1;
            }
            memcpy(out->exif, m->data + 6, n);
            out->exif_size = n;
            break;
        }
    }

    switch (d->cinfo.num_components) {
        case 1: d->cinfo.out_color_space = JCS_GRAYSCALE; break;
        case 3: d->cinfo.out_color_space = JCS_RGB; break;
        case 4: d->cinfo.out_color_space = JCS_CMYK; break;
        default:
            snprintf(out->error, sizeof(out->error), "cannot handle %d-layer images", d->cinfo.num_components);
            return 1;
    }
    if (choose_scale != NULL) {
        int denominator = choose_scale(context, (int)d->cinfo.image_width, (int)d->cinfo.image_height, out->exif, out->exif_size);
        if (denominator == 2 || denominator == 4 || denominator == 8) {
            d->cinfo.scale_num = 1;
            d->cinfo.scale_denom = (unsigned int)denominator;
        }
    }
    jpeg_start_decompress(&d->cinfo);
    out->width = (int)d->cinfo.output_width;
    out->height = (int)d->cinfo.output_height;
    out->components = d->cinfo.output_components;
    return 0;
}

int ic_jpeg_read(ic_jpeg_decoder *decoder, unsigned char *pixels, size_t capacity, ic_jpeg_image *out) {
    struct ic_jpeg_decoder *d = decoder;
    d->failure.message = out->error;
    size_t stride = (size_t)d->cinfo.output_width * (size_t)d->cinfo.output_components;
    if (pixels == NULL || capacity != stride * d->cinfo.output_height) {
        snprintf(out->error, sizeof(out->error), "pixel buffer of %zu bytes for a %u x %u x %d image", capacity,
                 d->cinfo.output_width, d->cinfo.output_height, d->cinfo.output_components);
        return 1;
    }
    if (setjmp(d->failure.jump)) {
        return 1;
    }
    while (d->cinfo.output_scanline < d->cinfo.output_height) {
        JSAMPROW row = pixels + stride * d->cinfo.output_scanline;
        jpeg_read_scanlines(&d->cinfo, &row, 1);
    }
    jpeg_finish_decompress(&d->cinfo);
    return 0;
}

void ic_jpeg_end(ic_jpeg_decoder *decoder) {
    if (decoder == NULL) return;
    jpeg_destroy_decompress(&decoder->cinfo);
    free(decoder);
}

void ic_jpeg_free(ic_jpeg_image *image) {
    free(image->exif);
    image->exif = NULL;
}

/* ----------------------------------------------------------------- PNG */

struct png_source {
    const unsigned char *data;
    size_t size;
    size_t offset;
    char *message;
};

static void png_fail(png_structp png, png_const_charp text) {
    struct png_source *source = png_get_error_ptr(png);
    snprintf(source->message, 256, "%s", text);
    png_longjmp(png, 1);
}

static void png_ignore_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

static void png_read_memory(png_structp png, png_bytep target, png_size_t length) {
    struct png_source *source = png_get_io_ptr(png);
    if (source->size - source->offset < length) {
        png_error(png, "image file is truncated");
    }
    memcpy(target, source->data + source->offset, length);
    source->offset += length;
}

int ic_decode_png(const unsigned char *data, size_t size, size_t max_pixels, ic_png_image *out) {
    struct png_source source = {data, size, 0, out->error};
    png_structp png;
    png_infop info;
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;

    memset(out, 0, sizeof(*out));
    source.message = out->error;
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(out->error, sizeof(out->error), size == 0 ? "empty file" : "not a PNG file");
        return 1;
    }
    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, png_fail, png_ignore_warning);
    if (png == NULL) {
        snprintf(out->error, sizeof(out->error), "out of memory");
        return 1;
    }
    info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(out->error, sizeof(out->error), "out of memory");
        return 1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        return 1;
    }
    png_set_read_fn(png, &source, png_read_memory);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_read_info(png, info);

    png_uint_32 width, height;
    int bit_depth, color_type, interlace;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    if ((unsigned long long)width * height > (unsigned long long)max_pixels) {
        out->width = (int)width;
        out->height = (int)height;
        png_destroy_read_struct(&png, &info, NULL);
        return IC_TOO_MANY_PIXELS;
    }
    if (interlace != PNG_INTERLACE_NONE) {
        png_set_interlace_handling(png);
    }
    png_read_update_info(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    pixels = malloc(rowbytes * height + 1);
    rows = malloc(sizeof(png_bytep) * (height + 1));
    if (pixels == NULL || rows == NULL) {
        png_error(png, "out of memory");
    }
    for (png_uint_32 y = 0; y < height; y++) {
        rows[y] = pixels + rowbytes * y;
    }
    png_read_image(png, rows);
    png_read_end(png, info);

    png_colorp palette;
    int count = 0;
    if (png_get_PLTE(png, info, &palette, &count) & PNG_INFO_PLTE) {
        if (count > 256) count = 256;
        for (int i = 0; i < count; i++) {
            out->palette[3 * i] = palette[i].red;
            out->palette[3 * i + 1] = palette[i].green;
            out->palette[3 * i + 2] = palette[i].blue;
        }
        out->palette_count = count;
    }
    png_bytep exif = NULL;
    png_uint_32 exif_size = 0;
    if ((png_get_eXIf_1(png, info, &exif_size, &exif) & PNG_INFO_eXIf) && exif_size > 0) {
        out->exif = malloc(exif_size);
        if (out->exif != NULL) {
            memcpy(out->exif, exif, exif_size);
            out->exif_size = exif_size;
        }
    }
    out->width = (int)width;
    out->height = (int)height;
    out->bit_depth = bit_depth;
    out->color_type = color_type;
    out->rowbytes = rowbytes;
    out->pixels = pixels;
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

void ic_png_free(ic_png_image *image) {
    free(image->pixels);
    free(image->exif);
    image->pixels = NULL;
    image->exif = NULL;
}

/* ---------------------------------------------------------------- WebP */

static const char *webp_status_text(VP8StatusCode status) {
    switch (status) {
        case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
        case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
        case VP8_STATUS_BITSTREAM_ERROR: return "corrupt WebP bitstream";
        case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported WebP feature";
        case VP8_STATUS_SUSPENDED: return "decoding suspended";
        case VP8_STATUS_USER_ABORT: return "decoding aborted";
        case VP8_STATUS_NOT_ENOUGH_DATA: return "image file is truncated";
        default: return "cannot decode WebP";
    }
}

/* Copies the EXIF chunk (if any) into out->exif, without the "Exif\0\0" prefix some writers put before the TIFF
   header (Pillow strips it too). Returns 0, or 1 when out of memory. */
static int webp_copy_exif(const WebPDemuxer *demux, ic_webp_image *out) {
    WebPChunkIterator chunk;
    if (!WebPDemuxGetChunk(demux, "EXIF", 1, &chunk)) return 0;
    const uint8_t *bytes = chunk.chunk.bytes;
    size_t n = chunk.chunk.size;
    if (n >= 6 && memcmp(bytes, "Exif\0\0", 6) == 0) {
        bytes += 6;
        n -= 6;
    }
    int failed = 0;
    if (n > 0) {
        out->exif = malloc(n);
        if (out->exif == NULL) {
            failed = 1;
        } else {
            memcpy(out->exif, bytes, n);
            out->exif_size = n;
        }
    }
    WebPDemuxReleaseChunkIterator(&chunk);
    return failed;
}

/* An animation's first frame, as WebPAnimDecoder composes it (MODE_RGBA on a zeroed canvas), alpha dropped. */
static int webp_decode_first_frame(const WebPData *webp, unsigned char *rgb, size_t pixels, ic_webp_image *out) {
    WebPAnimDecoder *decoder = WebPAnimDecoderNew(webp, NULL);
    if (decoder == NULL) {
        snprintf(out->error, sizeof(out->error), "corrupt WebP animation");
        return 1;
    }
    WebPAnimInfo info;
    uint8_t *canvas = NULL;
    int timestamp = 0;
    if (!WebPAnimDecoderGetInfo(decoder, &info) || (size_t)info.canvas_width * info.canvas_height != pixels ||
        !WebPAnimDecoderGetNext(decoder, &canvas, &timestamp) || canvas == NULL) {
        snprintf(out->error, sizeof(out->error), "cannot decode the first frame of the WebP animation");
        WebPAnimDecoderDelete(decoder);
        return 1;
    }
    for (size_t i = 0; i < pixels; i++) {
        memcpy(rgb + 3 * i, canvas + 4 * i, 3);
    }
    WebPAnimDecoderDelete(decoder);
    return 0;
}

int ic_decode_webp(const unsigned char *data, size_t size, size_t max_pixels, ic_webp_image *out) {
    memset(out, 0, sizeof(*out));
    if (size == 0) {
        snprintf(out->error, sizeof(out->error), "empty file");
        return 1;
    }
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) {
        snprintf(out->error, sizeof(out->error), "libwebp version mismatch");
        return 1;
    }
    VP8StatusCode status = WebPGetFeatures(data, size, &config.input);
    if (status != VP8_STATUS_OK) {
        snprintf(out->error, sizeof(out->error), "%s", webp_status_text(status));
        return 1;
    }
    /* The canvas size: the VP8X chunk's for an extended file, else the bitstream's. */
    int width = config.input.width, height = config.input.height;
    if (width <= 0 || height <= 0) {
        snprintf(out->error, sizeof(out->error), "WebP canvas of %d x %d pixels", width, height);
        return 1;
    }
    out->width = width;
    out->height = height;
    size_t pixels = (size_t)width * (size_t)height;
    if ((unsigned long long)width * (unsigned long long)height > (unsigned long long)max_pixels) {
        return IC_TOO_MANY_PIXELS;
    }

    WebPData webp = {data, size};
    WebPDemuxState state = WEBP_DEMUX_PARSE_ERROR;
    WebPDemuxer *demux = WebPDemuxPartial(&webp, &state);
    if (demux == NULL || state != WEBP_DEMUX_DONE) {
        snprintf(out->error, sizeof(out->error), "%s",
                 demux != NULL ? "image file is truncated" : "corrupt WebP container");
        WebPDemuxDelete(demux);
        return 1;
    }
    out->frames = (int)WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT);
    int failed = webp_copy_exif(demux, out);
    WebPDemuxDelete(demux);
    if (failed) {
        snprintf(out->error, sizeof(out->error), "out of memory");
        ic_webp_free(out);
        return 1;
    }

    unsigned char *rgb = malloc(3 * pixels);
    if (rgb == NULL) {
        snprintf(out->error, sizeof(out->error), "out of memory");
        ic_webp_free(out);
        return 1;
    }
    if (config.input.has_animation) {
        if (webp_decode_first_frame(&webp, rgb, pixels, out) != 0) {
            free(rgb);
            ic_webp_free(out);
            return 1;
        }
    } else {
        /* A still image straight into RGB: the same values as Pillow's RGBA/RGBX decode with the alpha dropped. */
        config.output.colorspace = MODE_RGB;
        config.output.is_external_memory = 1;
        config.output.u.RGBA.rgba = rgb;
        config.output.u.RGBA.stride = 3 * width;
        config.output.u.RGBA.size = 3 * pixels;
        status = WebPDecode(data, size, &config);
        WebPFreeDecBuffer(&config.output);
        if (status != VP8_STATUS_OK) {
            snprintf(out->error, sizeof(out->error), "%s", webp_status_text(status));
            free(rgb);
            ic_webp_free(out);
            return 1;
        }
    }
    out->pixels = rgb;
    return 0;
}

void ic_webp_free(ic_webp_image *image) {
    free(image->pixels);
    free(image->exif);
    image->pixels = NULL;
    image->exif = NULL;
    image->exif_size = 0;
}
