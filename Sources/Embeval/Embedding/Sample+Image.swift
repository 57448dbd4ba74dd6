extension Sample {
    /// The sample's pixels as RGB, decoded exactly as transformers' `load_image` (Pillow) would.
    public func loadImage() throws -> RGBImage {
        switch source {
        case .file(let url): try ImageDecoder.decode(fileAt: url.path)
        case .array(let store, let index): store.rgbImage(index)
        }
    }
}
