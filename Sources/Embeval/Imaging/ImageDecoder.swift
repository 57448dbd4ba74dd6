import CImageCodecs
import Foundation

/// Decodes JPEG and PNG files to RGB exactly as transformers' `load_image(path)` does with Pillow:
/// `Image.open`, `ImageOps.exif_transpose`, `.convert("RGB")`.
public enum ImageDecoder {
    /// Decodes the file at `path`; a missing, empty, truncated, corrupt or unsupported file throws `ImageError`.
    public static func decode(fileAt path: String) throws -> RGBImage {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageError(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw ImageError(path: path, reason: "cannot read file")
        }
        do {
            return try decode(bytes: [UInt8](data))
        } catch let error as ImageError {
            throw ImageError(path: path, reason: error.reason)
        }
    }

    /// Decodes an encoded image held in memory (JPEG or PNG, recognised by its signature).
    public static func decode(bytes: [UInt8], name: String = "<memory>") throws -> RGBImage {
        if bytes.isEmpty { throw ImageError(path: name, reason: "empty file") }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try decodeJPEG(bytes, name: name) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return try decodePNG(bytes, name: name) }
        throw ImageError(path: name, reason: "cannot identify image file (not a JPEG or PNG)")
    }

    static func decodeJPEG(_ bytes: [UInt8], name: String) throws -> RGBImage {
        var jpeg = ic_jpeg_image()
        let status = bytes.withUnsafeBufferPointer { ic_decode_jpeg($0.baseAddress, $0.count, &jpeg) }
        defer { ic_jpeg_free(&jpeg) }
        guard status == 0 else { throw ImageError(path: name, reason: message(from: &jpeg.error)) }
        let width = Int(jpeg.width), height = Int(jpeg.height)
        let samples = UnsafeBufferPointer(start: jpeg.pixels, count: width * height * Int(jpeg.components))
        let image: RGBImage
        switch jpeg.components {
        case 1: image = RGBImage(width: width, height: height, grayscale: Array(samples))
        case 3: image = RGBImage(width: width, height: height, pixels: Array(samples))
        default: image = PillowColor.invertedCMYKToRGB(samples, width: width, height: height)
        }
        return orient(image, exif: jpeg.exif, size: jpeg.exif_size)
    }

    static func decodePNG(_ bytes: [UInt8], name: String) throws -> RGBImage {
        var png = ic_png_image()
        let status = bytes.withUnsafeBufferPointer { ic_decode_png($0.baseAddress, $0.count, &png) }
        defer { ic_png_free(&png) }
        guard status == 0 else { throw ImageError(path: name, reason: message(from: &png.error)) }
        let raw = UnsafeBufferPointer(start: png.pixels, count: png.rowbytes * Int(png.height))
        let palette = withUnsafeBytes(of: &png.palette) { Array($0.prefix(3 * Int(png.palette_count))) }
        let image = try PillowColor.pngToRGB(raw, width: Int(png.width), height: Int(png.height),
                                             rowBytes: png.rowbytes, bitDepth: Int(png.bit_depth),
                                             colorType: Int(png.color_type), palette: palette, name: name)
        return orient(image, exif: png.exif, size: png.exif_size)
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
