extension RGBImage {
    /// An RGB image from 8-bit grayscale (Pillow mode "L", e.g. IDX/MNIST pixels, row-major): each value is
    /// replicated into R, G and B, as Pillow's `convert("RGB")` does.
    public init(width: Int, height: Int, grayscale: [UInt8]) {
        precondition(width >= 0 && height >= 0 && grayscale.count == width * height,
                     "RGBImage: \(grayscale.count) gray bytes do not fill \(width)×\(height)")
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            for i in 0..<grayscale.count {
                let v = grayscale[i]
                out[3 * i] = v
                out[3 * i + 1] = v
                out[3 * i + 2] = v
            }
        }
        self.init(width: width, height: height, pixels: pixels)
    }
}
