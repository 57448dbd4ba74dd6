/// The raw-pixel baseline (`-m pixels`): an image's own pixels, scaled to [0, 1], are its embedding.
/// Every backbone must beat it. A grey image — an IDX array, or a file Pillow opens in mode "L" (a one-component
/// JPEG, a grey PNG such as Hugging Face's Fashion-MNIST) — gives its one channel, as `numpy.asarray` of it would,
/// unless it is resized (then RGB): so the same grey images give the same vectors from IDX files or from PNGs.
public struct PixelModel: ImageEmbeddingModel {
    public let name = "pixels"
    public let poolings: [Pooling] = [.output("pixels")]
    public let maximumBatchSize: Int? = nil
    public var metadata: JSONValue {
        // "preprocessing" only with --jpeg-draft: a set embedded with it then never resumes or merges with an exact one.
        .object([("name", "pixels"), ("resize", size.map { .string("\($0.width)x\($0.height) bilinear") } ?? .null),
                 ("scale", "1/255")] + (draft != nil ? [("preprocessing", .object([("jpeg_draft", .bool(true))]))] : []))
    }
    /// Images are resized to this (width, height) first when set (bilinear, as Pillow); else they must share a size.
    public var size: (width: Int, height: Int)?
    /// `--jpeg-draft` with a `size`: JPEGs decode reduced to at least it.
    let draft: JPEGDraft?

    public init(size: (width: Int, height: Int)? = nil, jpegDraft: Bool = false) {
        self.size = size
        draft = jpegDraft ? size.map { size in JPEGDraft { _, _ in size } } : nil
    }

    /// The largest side of a raw-pixel embedding's image: every pixel is three dimensions of it.
    public static let largestSide = 512

    public func prepare(_ sample: Sample, limits: ImageLimits) throws -> Tensor {
        if case .array(let store, let index) = sample.source, size.map({ $0 == (store.width, store.height) }) ?? true {
            try checkSide(sample, width: store.width, height: store.height)
            return Tensor(shape: [store.height, store.width, store.channels], values: store.bytes(index).map { Float($0) / 255 })
        }
        var (image, grey) = try sample.loadImageAndMode(limits: limits, draft: draft)
        try checkSide(sample, width: image.width, height: image.height)
        if let size, (image.width, image.height) != size {
            image = resize(image, width: size.width, height: size.height, resampling: .bilinear)
            grey = false
        }
        if grey {
            return Tensor(shape: [image.height, image.width, 1], values: stride(from: 0, to: image.pixels.count, by: 3).map { Float(image.pixels[$0]) / 255 })
        }
        return Tensor(shape: [image.height, image.width, 3], values: image.pixels.map { Float($0) / 255 })
    }

    /// Without `--image-size`, an image's own size is the embedding's: at most `largestSide` a side.
    private func checkSide(_ sample: Sample, width: Int, height: Int) throws {
        if size == nil, width > Self.largestSide || height > Self.largestSide {
            throw ImageError.invalidLimit("image '\(sample.id)' is \(width)×\(height): -m pixels takes at most \(Self.largestSide)×\(Self.largestSide) (set --image-size)")
        }
    }

    public func embed(_ batch: [Tensor]) throws -> [Matrix] {
        let shape = batch[0].shape
        if let odd = batch.first(where: { $0.shape != shape }) {
            throw EmbeddingError.differentSizes(first: "\(shape)", other: "\(odd.shape)", remedy: "-m pixels needs one size; set --image-size")
        }
        var values = [Float]()
        values.reserveCapacity(batch.count * batch[0].values.count)
        for t in batch { values.append(contentsOf: t.values) }
        return [Matrix(rows: batch.count, columns: batch[0].values.count, values: values)]
    }
}
