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
    /// Per embedded row, the digest of its preprocessed input (when the extractor `digestsInputs`).
    public var inputDigests: [ContentDigest]? = nil
}

/// One batch as the extractor hands it on: which samples it covered, the rows it kept, one matrix per pooling.
public struct ExtractedBatch: Sendable {
    /// The batch's number in its run (0 for the first batch of the range, whatever the batch it resumed at).
    public var index: Int
    /// Positions in the dataset's samples that the batch covered.
    public var range: Range<Int>
    /// Positions of the samples embedded, in order: the rows of each matrix.
    public var kept: [Int]
    /// One `kept.count × d` matrix per pooling, in the model's `poolings` order.
    public var pooled: [Matrix]
    /// Positions and reasons of the samples left out (`--on-bad-image skip`).
    public var skipped: [(position: Int, sample: SkippedSample)]
    /// Per kept row, the digest of the model's input (empty unless the extractor `digestsInputs`).
    public var inputDigests: [ContentDigest] = []
}

/// Batched extraction: decoding and preprocessing of the next batch run in parallel (one task per image) while the
/// model runs the current one, so inference — the bottleneck — never waits for pixels.
///
/// `stream` hands each batch on as soon as the model has run it and keeps nothing, so a run over millions of images
/// holds a few batches at a time; `extract` collects the batches into `Embeddings` for evaluations that need them all.
public struct EmbeddingExtractor: Sendable {
    public var batchSize: Int
    public var onBadImage: BadImagePolicy
    public var imageLimits: ImageLimits
    /// Also fingerprint each preprocessed input, so identical model inputs can be found (`embeval audit`).
    public var digestsInputs = false

    /// Images per forward pass unless `--batch-size` says otherwise. On the CPU larger batches are slower: ViT-S/16's
    /// activations leave the cache (bench/README.md, "ViT-S/16: ONNX Runtime's spinning and the batch size").
    public static let defaultBatchSize = 32

    public init(batchSize: Int = defaultBatchSize, onBadImage: BadImagePolicy = .fail, imageLimits: ImageLimits = ImageLimits()) {
        self.batchSize = batchSize
        self.onBadImage = onBadImage
        self.imageLimits = imageLimits
    }

    /// The most times over a batch's inputs are held at once: two batches prepared ahead in the queue, one more
    /// waiting to join it, the batch the model runs, that batch joined into one input tensor, and its rows as they
    /// are written (as large as the inputs for `-m pixels`).
    public static let batchesHeld = 6

    /// How many times over the inputs of a run of `batches` batches are held at once.
    static func held(batches: Int) -> Int { min(max(batches, 1), batchesHeld - 2) + 2 }

    /// Bytes that `images` float32 inputs of shape `input` take, held `held` times over; nil past `Int.max`.
    static func heldBytes(of input: [Int], images: Int, held: Int) -> Int? {
        ([images, held] + input).reduce(Optional(MemoryLayout<Float>.size)) { bytes, factor in
            bytes.flatMap { let (product, overflow) = $0.multipliedReportingOverflow(by: max(factor, 0)); return overflow ? nil : product }
        }
    }

    /// Why `batches` batches of `batchSize` inputs like `input` cannot be run within `memoryBytes` (half of it, as
    /// the rows kept are counted), if they cannot: asked before a batch's other images are prepared, not when an
    /// allocation fails.
    static func batchMemoryRefusal(input: Tensor, batchSize: Int, batches: Int, memoryBytes: Int) -> EmbeddingError? {
        let held = held(batches: batches), needed = heldBytes(of: input.shape, images: batchSize, held: held) ?? Int.max
        guard needed > memoryBytes / 2 else { return nil }
        return .batchTooLarge(batchSize: batchSize, input: input.shape, held: held, needed: needed, available: memoryBytes)
    }

    /// The batch size a model is run with: the one asked for, at most what the model takes.
    public func effectiveBatchSize(for model: any ImageEmbeddingModel) -> Int {
        max(1, min(batchSize, model.maximumBatchSize ?? batchSize))
    }

    /// Embeds the samples at `range` (default: all) in batches of `effectiveBatchSize`, counted from
    /// `range.lowerBound`, beginning with batch number `firstBatch` (a resumed run skips the batches it has), and
    /// hands every batch to `sink` in order. Nothing is kept after `sink` returns.
    public func stream(_ dataset: Dataset, range: Range<Int>? = nil, firstBatch: Int = 0, with model: any ImageEmbeddingModel,
                       progress: (any ProgressCounter)? = nil, into sink: (ExtractedBatch) throws -> Void) throws {
        let size = effectiveBatchSize(for: model)
        let samples = dataset.samples
        let span = range ?? 0..<samples.count
        let start = min(span.upperBound, span.lowerBound + max(0, firstBatch) * size)
        let batches = stride(from: start, to: span.upperBound, by: size).map { $0..<min($0 + size, span.upperBound) }
        let queue = PreparedBatches(capacity: 2)

        // Producer: prepares batch b+1 while the caller's thread embeds batch b.
        let producer = Thread { [onBadImage, imageLimits, digestsInputs] in
            let largest = min(size, span.count)
            var checked = false
            // A bad image may be skipped; a dataset that cannot be read (a corrupt parquet row group) may not.
            let skips = { (error: Error) in onBadImage == .skip && !(error is DatasetError) }
            for range in batches {
                if queue.isCancelled { break }
                let prepare = { (i: Int) in Result { try model.prepare(samples[range.lowerBound + i], limits: imageLimits) } }
                // Until one image is prepared, images are prepared one at a time: the first says what a batch takes.
                var prepared = [Result<Tensor, Error>]()
                while !checked, prepared.count < range.count {
                    let outcome = prepare(prepared.count)
                    prepared.append(outcome)
                    switch outcome {
                    case .success(let input):
                        if let refusal = Self.batchMemoryRefusal(input: input, batchSize: largest, batches: batches.count,
                                                                     memoryBytes: imageLimits.memoryBytes) {
                            queue.put(.failure(refusal)); return
                        }
                        checked = true
                    case .failure(let error) where !skips(error): queue.put(.failure(error)); return
                    case .failure: break
                    }
                }
                let done = prepared.count
                prepared += Parallel.map(range.count - done) { prepare(done + $0) }
                var batch = PreparedBatch(range: range, inputs: [], kept: [], skipped: [], digests: [])
                for (i, outcome) in prepared.enumerated() {
                    let position = range.lowerBound + i
                    switch outcome {
                    case .success(let input):
                        batch.inputs.append(input)
                        batch.kept.append(position)
                        if digestsInputs { batch.digests.append(ContentDigest(input.values)) }
                    case .failure(let error) where skips(error):
                        batch.skipped.append((position, SkippedSample(id: samples[position].id, reason: "\(error)")))
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

        var index = firstBatch
        // Every batch's rows must be as wide as the first's, so that they join into one matrix per pooling.
        var widths: [Int]?
        while let next = queue.take() {
            let batch = try next.get()
            var pooled = [Matrix]()
            if !batch.inputs.isEmpty {
                pooled = try model.embed(batch.inputs)
                guard pooled.count == model.poolings.count else {
                    throw EmbeddingError.incompatibleModel("model '\(model.name)' returned \(pooled.count) matrices for its \(model.poolings.count) poolings")
                }
                for (p, m) in pooled.enumerated() {
                    guard m.rows == batch.inputs.count else {
                        throw EmbeddingError.incompatibleModel("model '\(model.name)' returned \(m.rows) rows for a batch of \(batch.inputs.count) images (pooling \(model.poolings[p]))")
                    }
                    guard m.columns == widths?[p] ?? m.columns, m.columns >= 1 else {
                        throw EmbeddingError.incompatibleModel("model '\(model.name)' returned rows of width \(m.columns)\(widths.map { " after rows of width \($0[p])" } ?? "") (pooling \(model.poolings[p])): every image needs one row of one width")
                    }
                }
                widths = widths ?? pooled.map(\.columns)
            }
            try sink(ExtractedBatch(index: index, range: batch.range, kept: batch.kept, pooled: pooled, skipped: batch.skipped,
                                    inputDigests: batch.digests))
            index += 1
            progress?.advance(by: batch.range.count)
        }
        progress?.finish()
    }

    /// Embeds every sample and keeps the rows: the `Embeddings` of each pooling, and the samples skipped. The first
    /// batch's widths say what all rows will take; with the `held` bytes of rows kept already (an evaluated set, when
    /// this is its train set), more than half of `imageLimits.memoryBytes` (evaluations copy the rows) is refused
    /// then, not when an allocation fails hours later.
    public func extract(_ dataset: Dataset, with model: any ImageEmbeddingModel, held: Int = 0,
                        progress: (any ProgressCounter)? = nil) throws -> ExtractionResult {
        let start = Date()
        var rows = [[Float]](repeating: [], count: model.poolings.count)
        var dims = [Int](repeating: 0, count: model.poolings.count)
        var kept = [Int](), skipped = [SkippedSample](), digests = [ContentDigest]()
        let total = dataset.samples.count, held = max(held, 0)
        try stream(dataset, with: model, progress: progress) { batch in
            if kept.isEmpty, !batch.kept.isEmpty {
                let columns = batch.pooled.reduce(0) { $0 &+ $1.columns }
                let (values, overflow) = columns.multipliedReportingOverflow(by: total)
                let own = overflow || values > Int.max / MemoryLayout<Float>.size ? Int.max : values * MemoryLayout<Float>.size
                let (needed, sumOverflow) = own.addingReportingOverflow(held)
                if sumOverflow || needed > imageLimits.memoryBytes / 2 {
                    throw EmbeddingError.tooLargeForMemory(dataset: dataset.name, rows: total, columns: columns,
                                                           needed: sumOverflow ? Int.max : needed, held: held,
                                                           available: imageLimits.memoryBytes)
                }
            }
            skipped += batch.skipped.map(\.sample)
            digests += batch.inputDigests
            for (p, m) in batch.pooled.enumerated() {
                dims[p] = m.columns
                rows[p].append(contentsOf: m.values)
            }
            kept += batch.kept
        }
        guard !kept.isEmpty else {
            throw EmbeddingError.nothingEmbedded(dataset: dataset.name, skipped: skipped.count)
        }
        let samples = dataset.samples
        var out = [Pooling: Embeddings]()
        for (p, pooling) in model.poolings.enumerated() {
            out[pooling] = try Embeddings(matrix: Matrix(rows: kept.count, columns: dims[p], values: rows[p]),
                                          labels: kept.map { samples[$0].label }, ids: kept.map { samples[$0].id },
                                          classes: dataset.classes)
        }
        return ExtractionResult(embeddings: out, skipped: skipped, seconds: Date().timeIntervalSince(start),
                                inputDigests: digestsInputs ? digests : nil)
    }
}

private struct PreparedBatch: @unchecked Sendable {
    var range: Range<Int>
    var inputs: [Tensor]
    var kept: [Int]
    var skipped: [(position: Int, sample: SkippedSample)]
    var digests: [ContentDigest]
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
