/// The EXIF Orientation tag (0x0112) and the transposition Pillow's `ImageOps.exif_transpose` applies for it.
public enum ExifOrientation: Int, Sendable {
    case normal = 1, flipLeftRight, rotate180, flipTopBottom, transpose, rotate270, transverse, rotate90

    /// Reads the orientation from a TIFF-structured EXIF payload (the bytes after `Exif\0\0`); nil when the
    /// payload is malformed or has no orientation tag in IFD0.
    public init?(exif: [UInt8]) {
        guard exif.count >= 8 else { return nil }
        let little: Bool
        switch (exif[0], exif[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= exif.count else { return nil }
            let a = Int(exif[o]), b = Int(exif[o + 1])
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ o: Int) -> Int? {
            guard let lo = u16(little ? o : o + 2), let hi = u16(little ? o + 2 : o) else { return nil }
            return hi << 16 | lo
        }
        guard let ifd = u32(4), let count = u16(ifd) else { return nil }
        for i in 0..<count {
            let entry = ifd + 2 + 12 * i
            guard let tag = u16(entry) else { return nil }
            guard tag == 0x0112, let type = u16(entry + 2) else { continue }
            let value: Int?
            switch type {
            case 3: value = u16(entry + 8)  // SHORT
            case 4: value = u32(entry + 8)  // LONG
            default: value = nil
            }
            guard let v = value, let o = ExifOrientation(rawValue: v) else { return nil }
            self = o
            return
        }
        return nil
    }

    /// The image turned upright, as Pillow's `Image.transpose` with the method this orientation maps to.
    public func apply(to image: RGBImage) -> RGBImage {
        let w = image.width, h = image.height
        if self == .normal || w == 0 || h == 0 { return image }
        let ow = swapsSides ? h : w, oh = swapsSides ? w : h
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<oh {
                    for x in 0..<ow {
                        let sx: Int, sy: Int
                        switch self {
                        case .normal: (sx, sy) = (x, y)
                        case .flipLeftRight: (sx, sy) = (w - 1 - x, y)
                        case .rotate180: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .flipTopBottom: (sx, sy) = (x, h - 1 - y)
                        case .transpose: (sx, sy) = (y, x)
                        case .rotate270: (sx, sy) = (y, h - 1 - x)
                        case .transverse: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .rotate90: (sx, sy) = (w - 1 - y, x)
                        }
                        let s = 3 * (sy * w + sx), d = 3 * (y * ow + x)
                        dst[d] = src[s]
                        dst[d + 1] = src[s + 1]
                        dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: ow, height: oh, pixels: out)
    }
}
