/// Pillow's conversions to mode "RGB" for the pixel layouts JPEG and PNG files decode to.
enum PillowColor {
    /// Pillow opens 4-component JPEGs as "CMYK;I" (Adobe's inverted storage), then `cmyk2rgb`:
    /// `nk = 255 - k; out = nk - round(c * nk / 255)` with its exact integer MULDIV255.
    static func invertedCMYKToRGB(_ samples: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        out.withUnsafeMutableBufferPointer { dst in
            for i in 0..<(width * height) {
                let nk = Int(samples[4 * i + 3])  // 255 - (255 - stored)
                for c in 0..<3 {
                    let cyan = 255 - Int(samples[4 * i + c])
                    let t = cyan * nk + 128
                    let v = nk - (((t >> 8) + t) >> 8)
                    dst[3 * i + c] = UInt8(clamping: v)
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Raw PNG samples to RGB following Pillow's PNG modes: gray 1-bit ("1": 0/255), 2/4-bit ("L;2"/"L;4"
    /// scaled to 0…255), 16-bit ("I;16", clipped to 255); 16-bit colour keeps the high byte; alpha is dropped
    /// without compositing; palette indices are looked up (transparency ignored, as `convert("RGB")` does).
    static func pngToRGB(_ raw: UnsafeBufferPointer<UInt8>, width: Int, height: Int, rowBytes: Int, bitDepth: Int,
                         colorType: Int, palette: [UInt8], name: String) throws -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let channels: Int
        switch colorType {
        case 0, 3: channels = 1
        case 2: channels = 3
        case 4: channels = 2
        case 6: channels = 4
        default: throw ImageError(path: name, reason: "unsupported PNG colour type \(colorType)")
        }
        out.withUnsafeMutableBufferPointer { dst in
            for y in 0..<height {
                let row = y * rowBytes
                for x in 0..<width {
                    let d = 3 * (y * width + x)
                    if bitDepth < 8 {
                        let perByte = 8 / bitDepth
                        let byte = Int(raw[row + x / perByte])
                        let shift = 8 - bitDepth * (x % perByte + 1)
                        let v = (byte >> shift) & ((1 << bitDepth) - 1)
                        let g: UInt8
                        if colorType == 3 {
                            setPalette(dst, d, palette, v)
                            continue
                        }
                        g = UInt8(v * 255 / ((1 << bitDepth) - 1))
                        dst[d] = g; dst[d + 1] = g; dst[d + 2] = g
                        continue
                    }
                    let bytesPerSample = bitDepth / 8
                    let s = row + x * channels * bytesPerSample
                    // 8-bit: the sample; 16-bit: the high byte (Pillow's ";16B" unpackers), except I;16 gray.
                    func sample(_ c: Int) -> UInt8 { raw[s + c * bytesPerSample] }
                    switch colorType {
                    case 0:
                        let g: UInt8
                        if bitDepth == 16 {
                            let v = Int(raw[s]) << 8 | Int(raw[s + 1])
                            g = UInt8(min(v, 255))
                        } else {
                            g = raw[s]
                        }
                        dst[d] = g; dst[d + 1] = g; dst[d + 2] = g
                    case 3:
                        setPalette(dst, d, palette, Int(raw[s]))
                    case 4:
                        let g = sample(0)
                        dst[d] = g; dst[d + 1] = g; dst[d + 2] = g
                    default:
                        dst[d] = sample(0); dst[d + 1] = sample(1); dst[d + 2] = sample(2)
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    private static func setPalette(_ dst: UnsafeMutableBufferPointer<UInt8>, _ d: Int, _ palette: [UInt8], _ i: Int) {
        if 3 * i + 2 < palette.count {
            dst[d] = palette[3 * i]; dst[d + 1] = palette[3 * i + 1]; dst[d + 2] = palette[3 * i + 2]
        } else {
            dst[d] = 0; dst[d + 1] = 0; dst[d + 2] = 0
        }
    }
}
