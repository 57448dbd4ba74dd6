extension Sample {
    /// The sample's pixels as RGB, decoded exactly as transformers' `load_image` (Pillow) would — unless `draft`
    /// asks for a reduced JPEG decode (Pillow's `Image.draft`).
    public func loadImage(limits: ImageLimits = ImageLimits(), draft: JPEGDraft? = nil) throws -> RGBImage {
        try loadImageAndMode(limits: limits, draft: draft).image
    }

    /// The sample's pixels as RGB, and whether its source is one grey channel (an IDX array, or a file that Pillow
    /// opens in mode "L": see `ImageDecoder.isGrayscale`).
    public func loadImageAndMode(limits: ImageLimits = ImageLimits(), draft: JPEGDraft? = nil) throws -> (image: RGBImage, isGrayscale: Bool) {
        switch source {
        case .file(let url):
            return try ImageDecoder.decodeWithMode(fileAt: url.path, limits: limits, draft: draft)
        case .array(let store, let index):
            // The size is the file header's, as an encoded image's is: held to the same limits before any copy.
            guard store.width * store.height <= limits.headerPixelCap else {
                throw limits.refusal(path: "row \(id)", width: store.width, height: store.height)
            }
            return (store.rgbImage(index), store.channels == 1)
        case .encoded(let store, let index):
            let bytes = try store.bytes(at: index)
            return (try ImageDecoder.decode(bytes: bytes, name: store.location(of: index), limits: limits, draft: draft),
                    ImageDecoder.isGrayscale(bytes))
        }
    }
}

extension Dataset {
    /// PNG thumbnails (at most `size` px a side) of the samples with these ids, in that order, made in parallel.
    /// The samples by id (the first of any repeated id), for finding the images of listed ids.
    public var samplesByID: [String: Sample] { Dictionary(samples.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }) }

    /// Why these images are not the ones `labelled` (ids with their class names) were made from, if one of those
    /// samples has another class here: ids alone do not say (Fashion-MNIST's splits share ids). A class named by its
    /// number ("3", from labels.npy without classes.txt) matches the sample of that label.
    public func classDisagreement(_ labelled: some Sequence<(id: String, className: String)>) -> String? {
        let byID = samplesByID
        for (id, name) in labelled {
            guard let sample = byID[id] else { continue }
            let given = classes.indices.contains(sample.label) ? classes[sample.label] : String(sample.label)
            if name != given && name != String(sample.label) {
                return "sample '\(id)' is class '\(name)' in the embeddings but '\(given)' in the images given"
            }
        }
        return nil
    }

    public func thumbnails(ids: [String], size: Int = 48, limits: ImageLimits = ImageLimits()) throws -> [[UInt8]] {
        let byID = samplesByID
        return try Parallel.map(ids.count) { i in
            Result { () throws -> [UInt8] in
                guard let sample = byID[ids[i]] else { throw EmbeddingError.mismatchedSamples("no sample with id '\(ids[i])'") }
                return try ExplorePage.thumbnailPNG(sample.loadImage(limits: limits), size: size)
            }
        }.map { try $0.get() }
    }
}
