/// A reduced JPEG decode (`--jpeg-draft`), what Pillow's `Image.draft("RGB", size)` does: libjpeg scales in the DCT
/// domain to 1/2, 1/4 or 1/8 of the stored size — the smallest that is still at least the size the image is resized
/// to next — which is much faster for large photos and small models. Not pixel-identical to a full decode followed by
/// the resize (the Hugging Face pipeline), so it is never on by default. PNG and WebP files decode in full.
public struct JPEGDraft: Sendable {
    /// The size the image will be resized to, given its upright (EXIF-oriented) full size.
    public var target: @Sendable (_ width: Int, _ height: Int) -> (width: Int, height: Int)

    public init(target: @escaping @Sendable (_ width: Int, _ height: Int) -> (width: Int, height: Int)) {
        self.target = target
    }

    /// Pillow's `JpegImageFile.draft` rule: n = min(width ÷ target width, height ÷ target height) (integer division),
    /// lowered to the nearest of 8, 4, 2, 1; the image then decodes at ⌈width / n⌉ × ⌈height / n⌉.
    public static func scale(width: Int, height: Int, target: (width: Int, height: Int)) -> Int {
        guard target.width > 0, target.height > 0 else { return 1 }
        let most = min(width / target.width, height / target.height)
        return [8, 4, 2].first { most >= $0 } ?? 1
    }

    /// The scale for a JPEG stored as `width`×`height` with this EXIF payload: the target is asked for the upright
    /// size and turned back into the stored orientation (a 90° rotation swaps the sides), so that the oriented result
    /// is at least the target in both dimensions.
    func scale(storedWidth width: Int, height: Int, exif: [UInt8]) -> Int {
        let swaps = ExifOrientation(exif: exif)?.swapsSides ?? false
        let upright = swaps ? (width: height, height: width) : (width: width, height: height)
        let wanted = target(upright.width, upright.height)
        return Self.scale(width: width, height: height, target: swaps ? (wanted.height, wanted.width) : wanted)
    }
}

extension ExifOrientation {
    /// Whether turning the image upright exchanges its width and height (the 90° and 270° cases).
    var swapsSides: Bool { [.transpose, .rotate270, .transverse, .rotate90].contains(self) }
}
