/// Crops the centre `width`×`height` region like transformers' `center_crop`: offsets are
/// `(size - crop) // 2` (floor); a crop larger than the image pads with zeros, the image placed at
/// `ceil((crop - size) / 2)`.
public func centerCrop(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    precondition(width > 0 && height > 0, "centerCrop: size must be positive, got \(width)×\(height)")
    if width == image.width && height == image.height { return image }
    // Position of the crop's top-left corner in image coordinates (may be negative when padding).
    func offset(_ size: Int, _ crop: Int) -> Int {
        let top = floorDiv(size - crop, 2)
        if top >= 0 && top + crop <= size { return top }
        let pad = (max(crop, size) - size + 1) / 2
        return max(0, top + pad) - pad
    }
    let left = offset(image.width, width), top = offset(image.height, height)
    var out = [UInt8](repeating: 0, count: width * height * 3)
    image.pixels.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for y in 0..<height {
                let sy = top + y
                guard sy >= 0 && sy < image.height else { continue }
                for x in 0..<width {
                    let sx = left + x
                    guard sx >= 0 && sx < image.width else { continue }
                    let s = 3 * (sy * image.width + sx), d = 3 * (y * width + x)
                    dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                }
            }
        }
    }
    return RGBImage(width: width, height: height, pixels: out)
}

private func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
