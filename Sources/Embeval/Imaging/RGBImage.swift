/// An 8-bit RGB image, pixels interleaved row by row (`R G B R G B …`), as Pillow's mode "RGB" holds it.
public struct RGBImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes do not fill \(width)×\(height)×3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
