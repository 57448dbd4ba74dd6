import CImageCodecs

/// Encodes 8-bit images as PNG files in memory, through libpng (the C shim `pngw_encode` catches libpng's
/// longjmp errors and turns them into a message).
public enum PNGWriter {
    /// PNG bytes of an RGB image. With `grayscaleIfPossible`, an image whose pixels all have R = G = B is
    /// written as an 8-bit gray PNG (a third of the data; decodes to the same RGB pixels).
    public static func encode(_ image: RGBImage, grayscaleIfPossible: Bool = false,
                              compressionLevel: Int = 6) throws -> [UInt8] {
        if grayscaleIfPossible, let gray = grayPlane(image) {
            return try encode(samples: gray, width: image.width, height: image.height, channels: 1,
                              compressionLevel: compressionLevel)
        }
        return try encode(samples: image.pixels, width: image.width, height: image.height, channels: 3,
                          compressionLevel: compressionLevel)
    }

    /// PNG bytes of interleaved 8-bit samples: `channels` 1 (gray), 3 (RGB) or 4 (RGBA).
    public static func encode(samples: [UInt8], width: Int, height: Int, channels: Int,
                              compressionLevel: Int = 6) throws -> [UInt8] {
        guard width > 0, height > 0, [1, 3, 4].contains(channels), samples.count == width * height * channels,
              width < Int(Int32.max), height < Int(Int32.max) else {
            throw ReportError.picture("PNG: cannot encode \(samples.count) samples as \(width)×\(height)×\(channels)")
        }
        var buffer = pngw_buffer()
        let status = samples.withUnsafeBufferPointer {
            pngw_encode($0.baseAddress, Int32(width), Int32(height), Int32(channels), Int32(compressionLevel), &buffer)
        }
        defer { pngw_buffer_free(&buffer) }
        guard status == 0, let data = buffer.data else {
            let message = withUnsafeBytes(of: &buffer.error) { raw -> String in
                let bytes = raw.prefix { $0 != 0 }
                return String(decoding: bytes, as: UTF8.self)
            }
            throw ReportError.picture("PNG: \(message.isEmpty ? "encoding failed" : message)")
        }
        return Array(UnsafeBufferPointer(start: data, count: buffer.size))
    }

    private static func grayPlane(_ image: RGBImage) -> [UInt8]? {
        var gray = [UInt8](repeating: 0, count: image.width * image.height)
        var i = 0
        for p in 0..<gray.count {
            let r = image.pixels[i], g = image.pixels[i + 1], b = image.pixels[i + 2]
            guard r == g && g == b else { return nil }
            gray[p] = r
            i += 3
        }
        return gray
    }
}
