import CImageCodecs
import Foundation

/// Decodes JPEG, PNG and WebP files to RGB exactly as transformers' `load_image(path)` does with Pillow:
/// `Image.open`, `ImageOps.exif_transpose`, `.convert("RGB")` (which drops an alpha channel, compositing nothing).
public enum ImageDecoder {
    /// Decodes the file at `path`; a missing, empty, truncated, corrupt or unsupported file throws `ImageError`, and
    /// so does one whose header declares more pixels than `limits` allow — before anything is allocated for them.
    /// With `draft`, a JPEG decodes reduced (see `JPEGDraft`); other formats ignore it.
    public static func decode(fileAt path: String, limits: ImageLimits = ImageLimits(), draft: JPEGDraft? = nil) throws -> RGBImage {
        try decodeWithMode(fileAt: path, limits: limits, draft: draft).image
    }

    /// `decode(fileAt:)`, and whether the file is one grey channel as Pillow opens it (`isGrayscale`), from one read.
    public static func decodeWithMode(fileAt path: String, limits: ImageLimits = ImageLimits(),
                                      draft: JPEGDraft? = nil) throws -> (image: RGBImage, isGrayscale: Bool) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageError(path: path, reason: "no such file")
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
           let refusal = ImageLimits.sizeRefusal(path: path, size: size) {
            throw refusal
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw ImageError(path: path, reason: "cannot read file")
        }
        let bytes = [UInt8](data)
        do {
            return (try decode(bytes: bytes, limits: limits, draft: draft), isGrayscale(bytes))
        } catch ImageError.undecodable(_, let reason) {
            throw ImageError(path: path, reason: reason)
        } catch ImageError.tooManyPixels(_, let width, let height, let limit) {
            throw ImageError.tooManyPixels(path: path, width: width, height: height, limit: limit)
        } catch ImageError.tooLargeForMemory(_, let width, let height, let needed, let available) {
            throw ImageError.tooLargeForMemory(path: path, width: width, height: height, needed: needed, available: available)
        }
    }

    /// Decodes an encoded image held in memory (JPEG, PNG or WebP, recognised by its signature); `draft` as in
    /// `decode(fileAt:)`.
    public static func decode(bytes: [UInt8], name: String = "<memory>", limits: ImageLimits = ImageLimits(),
                              draft: JPEGDraft? = nil) throws -> RGBImage {
        if bytes.isEmpty { throw ImageError(path: name, reason: "empty file") }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try decodeJPEG(bytes, name: name, limits: limits, draft: draft) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return try decodePNG(bytes, name: name, limits: limits) }
        if isWebP(bytes) { return try decodeWebP(bytes, name: name, limits: limits) }
        throw ImageError(path: name, reason: "cannot identify image file (not a JPEG, PNG or WebP)")
    }

    /// A RIFF container of form type `WEBP`: `RIFF`, a 4-byte size, `WEBP` (Pillow's test).
    static func isWebP(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 12 && bytes.starts(with: Array("RIFF".utf8)) && bytes[8..<12].elementsEqual("WEBP".utf8)
    }

    static func decodeJPEG(_ bytes: [UInt8], name: String, limits: ImageLimits, draft: JPEGDraft? = nil) throws -> RGBImage {
        var jpeg = ic_jpeg_image()
        var request = draft
        return try bytes.withUnsafeBufferPointer { encoded in
            var decoder: OpaquePointer?
            defer { ic_jpeg_end(decoder); ic_jpeg_free(&jpeg) }
            let status = withUnsafeMutablePointer(to: &request) { context in
                ic_jpeg_begin(encoded.baseAddress, encoded.count, limits.headerPixelCap, draft == nil ? nil : chooseDraftScale,
                              context, &jpeg, &decoder)
            }
            if status == IC_TOO_MANY_PIXELS {
                throw limits.refusal(path: name, width: Int(jpeg.width), height: Int(jpeg.height))
            }
            guard status == 0 else { throw ImageError(path: name, reason: message(from: &jpeg.error)) }
            // The header's pixels are within `limits`, pixel count and memory, so this count is too (≤ 4 components).
            let width = Int(jpeg.width), height = Int(jpeg.height), components = Int(jpeg.components)
            let count = width * height * components
            // libjpeg writes the rows straight into the array.
            let samples = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                guard ic_jpeg_read(decoder, buffer.baseAddress, count, &jpeg) == 0 else {
                    throw ImageError(path: name, reason: message(from: &jpeg.error))
                }
                initialized = count
            }
            let image: RGBImage
            switch components {
            case 1: image = RGBImage(width: width, height: height, grayscale: samples)
            case 3: image = RGBImage(width: width, height: height, pixels: samples)
            default: image = samples.withUnsafeBufferPointer { PillowColor.invertedCMYKToRGB($0, width: width, height: height) }
            }
            return orient(image, exif: jpeg.exif, size: jpeg.exif_size)   // before the deferred free of the EXIF payload
        }
    }

    static func decodePNG(_ bytes: [UInt8], name: String, limits: ImageLimits) throws -> RGBImage {
        var png = ic_png_image()
        let status = bytes.withUnsafeBufferPointer { ic_decode_png($0.baseAddress, $0.count, limits.headerPixelCap, &png) }
        defer { ic_png_free(&png) }
        if status == IC_TOO_MANY_PIXELS {
            throw limits.refusal(path: name, width: Int(png.width), height: Int(png.height))
        }
        guard status == 0 else { throw ImageError(path: name, reason: message(from: &png.error)) }
        let raw = UnsafeBufferPointer(start: png.pixels, count: png.rowbytes * Int(png.height))
        let palette = withUnsafeBytes(of: &png.palette) { Array($0.prefix(3 * Int(png.palette_count))) }
        let image = try PillowColor.pngToRGB(raw, width: Int(png.width), height: Int(png.height),
                                             rowBytes: png.rowbytes, bitDepth: Int(png.bit_depth),
                                             colorType: Int(png.color_type), palette: palette, name: name)
        return orient(image, exif: png.exif, size: png.exif_size)
    }

    /// Lossy or lossless, with or without alpha: the first frame's RGB, alpha dropped; an animation's first frame as
    /// Pillow composes it (on a transparent black canvas). The EXIF chunk's orientation is applied as for JPEG.
    static func decodeWebP(_ bytes: [UInt8], name: String, limits: ImageLimits) throws -> RGBImage {
        var webp = ic_webp_image()
        let status = bytes.withUnsafeBufferPointer { ic_decode_webp($0.baseAddress, $0.count, limits.headerPixelCap, &webp) }
        defer { ic_webp_free(&webp) }
        if status == IC_TOO_MANY_PIXELS {
            throw limits.refusal(path: name, width: Int(webp.width), height: Int(webp.height))
        }
        guard status == 0 else { throw ImageError(path: name, reason: message(from: &webp.error)) }
        let width = Int(webp.width), height = Int(webp.height)
        let image = RGBImage(width: width, height: height, pixels: Array(UnsafeBufferPointer(start: webp.pixels, count: width * height * 3)))
        return orient(image, exif: webp.exif, size: webp.exif_size)
    }

    /// libjpeg's callback for a draft decode: `context` points at the `JPEGDraft?` of `decodeJPEG`.
    private static let chooseDraftScale: ic_jpeg_scale_chooser = { context, width, height, exif, exifSize in
        guard let draft = context?.assumingMemoryBound(to: JPEGDraft?.self).pointee else { return 1 }
        let payload = exif.map { Array(UnsafeBufferPointer(start: $0, count: exifSize)) } ?? []
        return Int32(draft.scale(storedWidth: Int(width), height: Int(height), exif: payload))
    }

    private static func orient(_ image: RGBImage, exif: UnsafeMutablePointer<UInt8>?, size: Int) -> RGBImage {
        guard let exif, size > 0,
              let orientation = ExifOrientation(exif: Array(UnsafeBufferPointer(start: exif, count: size)))
        else { return image }
        return orientation.apply(to: image)
    }

    private static func message<T>(from tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// How large an image may be before it is refused unread: Pillow's decompression-bomb rule, which refuses images of
/// more than 2 × `Image.MAX_IMAGE_PIXELS` (2 × 89,478,485) pixels; `--max-image-pixels` raises it. Whatever the
/// pixel limit, an image whose decode would not fit in the memory this process may use is refused too, from its
/// header, instead of failing (and trapping) on the allocation.
public struct ImageLimits: Sendable, Equatable {
    public static let pillowMaximum = 2 * 89_478_485

    /// A decode's peak memory per pixel: the decoder's buffer (up to 8 bytes, a 16-bit RGBA PNG), the RGB copy and
    /// its re-oriented copy (3 each), and room for the resize's rows.
    public static let decodeBytesPerPixel = 16

    /// The most bytes of one encoded image read (a file, a tar member, a parquet cell's file): as much as a parquet
    /// page may expand to. A larger one is an image error before anything is allocated.
    public static let largestFile = 256 << 20

    /// Why an encoded image of `size` bytes is not read, if it is larger than `largestFile`.
    static func sizeRefusal(path: String, size: Int) -> ImageError? {
        size > largestFile ? ImageError(path: path, reason: "an image of \(size) bytes (at most \(largestFile) are read)") : nil
    }

    public var maximumPixels: Int
    /// The memory one decode may take, in bytes: `ProcessMemory.limit` unless set lower.
    public var memoryBytes: Int

    public init(maximumPixels: Int, memoryBytes: Int = ProcessMemory.limit) throws {
        guard maximumPixels >= 1 else {
            throw ImageError.invalidLimit("--max-image-pixels must be ≥ 1, got \(maximumPixels)")
        }
        self.maximumPixels = maximumPixels
        self.memoryBytes = max(memoryBytes, 0)
    }

    public init() { maximumPixels = Self.pillowMaximum; memoryBytes = ProcessMemory.limit }

    /// The most pixels a header may declare: the pixel limit, or fewer where the decode would not fit in memory.
    var headerPixelCap: Int { min(maximumPixels, memoryBytes / Self.decodeBytesPerPixel) }

    /// Why an image of `width` × `height`, past `headerPixelCap`, is refused: the pixel limit or the memory.
    func refusal(path: String, width: Int, height: Int) -> ImageError {
        let (pixels, pixelsOverflow) = width.multipliedReportingOverflow(by: height)
        if pixelsOverflow || pixels > maximumPixels {
            return .tooManyPixels(path: path, width: width, height: height, limit: maximumPixels)
        }
        let (needed, overflow) = pixels.multipliedReportingOverflow(by: Self.decodeBytesPerPixel)
        return .tooLargeForMemory(path: path, width: width, height: height, needed: overflow ? Int.max : needed,
                                  available: memoryBytes)
    }
}
