import Foundation

/// What to do with an image that cannot be decoded.
public enum BadImagePolicy: String, CaseIterable, Sendable {
    /// Stop with an error naming the file (default).
    case fail
    /// Leave the sample out, count it and report it.
    case skip
}

/// Embeddings of a dataset under each pooling of a model, plus the samples that were skipped.
public struct ExtractionResult: Sendable {
    public var embeddings: [Pooling: Embeddings]
    public var skipped: [SkippedSample]
    public var seconds: Double
}

/// Batched extraction: decoding and preprocessing of the next batch run in parallel (one task per image) while the
/// model runs the current one, so inference — the bottleneck — never waits for pixels.
public struct EmbeddingExtractor: Sendable {
    public var batchSize: Int
    public var onBadImage: BadImagePolicy
    public var imageLimits: ImageLimits

    public init(batchSize: Int = 64, onBadImage: BadImagePolicy = .fail, imageLimits: ImageLimits = ImageLimits()) {
        self.batchSize = batchSize
        self.onBadImage = onBadImage
        self.imageLimits = imageLimits
    }

    public func extract(_ dataset: Dataset, with model: any ImageEmbeddingModel, progress: (any ProgressCounter)? = nil) throws -> ExtractionResult {
        let start = Date()
        let size = max(1, min(batchSize, model.maximumBatchSize ?? batchSize))
        let samples = dataset.samples
        let batches = stride(from: 0, to: samples.count, by: size).map { $0..<min($0 + size, samples.count) }
        let queue = PreparedBatches(capacity: 2)

        // Producer: prepares batch b+1 while the caller's thread embeds batch b.
        let producer = Thread { [onBadImage, imageLimits] in
            for range in batches {
                if queue.isCancelled { break }
                let prepared: [Result<Tensor, Error>] = Parallel.map(range.count) { i in
                    Result { try model.prepare(samples[range.lowerBound + i], limits: imageLimits) }
                }
                var batch = PreparedBatch(range: range, inputs: [], kept: [], skipped: [])
                for (i, outcome) in prepared.enumerated() {
                    switch outcome {
                    case .success(let input): batch.inputs.append(input); batch.kept.append(range.lowerBound + i)
                    // A bad image may be skipped; a dataset that cannot be read (a corrupt parquet row group) may not.
                    case .failure(let error) where onBadImage == .skip && !(error is DatasetError):
                        batch.skipped.append(SkippedSample(id: samples[range.lowerBound + i].id, reason: "\(error)"))
                    case .failure(let error): queue.put(.failure(error)); return
                    }
                }
                queue.put(.success(batch))
            }
            queue.finish()
        }
        producer.stackSize = 8 << 20
        producer.start()
        defer { queue.cancel() }

        var rows = [[Float]](repeating: [], count: model.poolings.count)
        var dims = [Int](repeating: 0, count: model.poolings.count)
        var kept = [Int](), skipped = [SkippedSample]()
        while let next = queue.take() {
            let batch = try next.get()
            skipped += batch.skipped
            if !batch.inputs.isEmpty {
                let pooled = try model.embed(batch.inputs)
                for (p, m) in pooled.enumerated() {
                    guard m.rows == batch.inputs.count else {
                        throw EmbeddingError.incompatibleModel("model '\(model.name)' returned \(m.rows) rows for a batch of \(batch.inputs.count) images (pooling \(model.poolings[p]))")
                    }
                    dims[p] = m.columns
                    rows[p].append(contentsOf: m.values)
                }
                kept += batch.kept
            }
            progress?.advance(by: batch.range.count)
        }
        progress?.finish()
        guard !kept.isEmpty else {
            throw EmbeddingError.nothingEmbedded(dataset: dataset.name, skipped: skipped.count)
        }
        var out = [Pooling: Embeddings]()
        for (p, pooling) in model.poolings.enumerated() {
            out[pooling] = try Embeddings(matrix: Matrix(rows: kept.count, columns: dims[p], values: rows[p]),
                                          labels: kept.map { samples[$0].label }, ids: kept.map { samples[$0].id },
                                          classes: dataset.classes)
        }
        return ExtractionResult(embeddings: out, skipped: skipped, seconds: Date().timeIntervalSince(start))
    }
}

private struct PreparedBatch: @unchecked Sendable {
    var range: Range<Int>
    var inputs: [Tensor]
    var kept: [Int]
    var skipped: [SkippedSample]
}

/// A bounded hand-off between the preparing thread and the embedding thread.
private final class PreparedBatches: @unchecked Sendable {
    private let condition = NSCondition()
    private var items = [Result<PreparedBatch, Error>]()
    private var finished = false
    private(set) var isCancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func put(_ item: Result<PreparedBatch, Error>) {
        condition.lock(); defer { condition.unlock() }
        while items.count >= capacity && !isCancelled { condition.wait() }
        if isCancelled { return }
        items.append(item)
        if case .failure = item { finished = true }
        condition.broadcast()
    }

    func finish() {
        condition.lock(); finished = true; condition.broadcast(); condition.unlock()
    }

    func cancel() {
        condition.lock(); isCancelled = true; condition.broadcast(); condition.unlock()
    }

    /// The next batch, or nil when the producer is done.
    func take() -> Result<PreparedBatch, Error>? {
        condition.lock(); defer { condition.unlock() }
        while items.isEmpty && !finished { condition.wait() }
        if items.isEmpty { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }
}
