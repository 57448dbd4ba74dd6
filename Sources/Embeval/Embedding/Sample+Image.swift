extension Sample {
    /// The sample's pixels as RGB, decoded exactly as transformers' `load_image` (Pillow) would.
    public func loadImage(limits: ImageLimits = ImageLimits()) throws -> RGBImage {
        switch source {
        case .file(let url): try ImageDecoder.decode(fileAt: url.path, limits: limits)
        case .array(let store, let index): store.rgbImage(index)
        case .encoded(let store, let index): try ImageDecoder.decode(bytes: store.bytes(at: index), name: store.location(of: index), limits: limits)
        }
    }
}

extension Dataset {
    /// PNG thumbnails (at most `size` px a side) of the samples with these ids, in that order, made in parallel.
    public func thumbnails(ids: [String], size: Int = 48, limits: ImageLimits = ImageLimits()) throws -> [[UInt8]] {
        let byID = Dictionary(samples.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return try Parallel.map(ids.count) { i in
            Result { () throws -> [UInt8] in
                guard let sample = byID[ids[i]] else { throw EmbeddingError.mismatchedSamples("no sample with id '\(ids[i])'") }
                return try ExplorePage.thumbnailPNG(sample.loadImage(limits: limits), size: size)
            }
        }.map { try $0.get() }
    }
}
