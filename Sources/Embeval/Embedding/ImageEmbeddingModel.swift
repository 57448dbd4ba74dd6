/// Something that turns images into vectors: an ONNX backbone, or the raw-pixel baseline.
///
/// Split in two so the pipeline can overlap them: `prepare` (decode + preprocess one sample, any thread) and
/// `embed` (one batch of prepared inputs → one matrix per pooling).
public protocol ImageEmbeddingModel: Sendable {
    /// What reports call the model.
    var name: String { get }
    /// The vectors each forward pass yields, in this order.
    var poolings: [Pooling] { get }
    /// Provenance for reports: path, sha256, inputs, preprocessing.
    var metadata: JSONValue { get }
    /// The largest batch the model takes (1 for exports without a dynamic batch axis).
    var maximumBatchSize: Int? { get }

    /// One sample's model input (e.g. a 3×H×W tensor); its image is refused unread when larger than `limits`.
    func prepare(_ sample: Sample, limits: ImageLimits) throws -> Tensor

    /// A batch of prepared inputs → one `batch × d` matrix per pooling, in `poolings` order.
    func embed(_ batch: [Tensor]) throws -> [Matrix]

    /// The shape one row of pooling `index` stands for (`[d]`; a feature map's `[C, H, W]`), as `.npy` files record it.
    func sampleShape(ofPooling index: Int, columns: Int) -> [Int]
}

extension ImageEmbeddingModel {
    public func sampleShape(ofPooling index: Int, columns: Int) -> [Int] { [columns] }

    /// One sample's model input under the default image limits.
    public func prepare(_ sample: Sample) throws -> Tensor { try prepare(sample, limits: ImageLimits()) }

    /// How manifests and reports name a set of this model's rows: its pooling, or "pixels" for the raw-pixel baseline.
    public func setName(of pooling: Pooling) -> String { self is PixelModel ? "pixels" : pooling.description }
}
