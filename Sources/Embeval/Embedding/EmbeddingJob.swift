import Foundation

/// `embeval embed` as one library call: the embeddings of a dataset selection — or of one shard of it — streamed to
/// disk a batch at a time and swapped into `output` whole, resumable after a kill.
///
/// Memory holds a few batches whatever the number of samples. Every batch is appended to the staged `.npy` files
/// and counted in a progress record (`PartialExtraction`); with `resume`, a run killed at any moment continues from
/// its last counted batch, and the finished files are byte for byte those of an uninterrupted run. The set's
/// `manifest.json` records what it is (`ExtractionRecord`), so resumes, merges and readers of several shards can
/// refuse what does not belong together.
public struct EmbeddingJob: Sendable {
    public var model: ImageModelSpec
    public var dataset: DatasetSelection
    public var output: URL
    /// This process's shard; nil (or a shard of 1) for the whole selection.
    public var shard: ShardAssignment?
    /// Continue a partial extraction of the same settings (else a partial one is discarded, with a warning).
    public var resume: Bool
    /// How the values are stored (`--dtype`): float32, or float16 for half the bytes.
    public var storage: StoredFloat

    public init(model: ImageModelSpec, dataset: DatasetSelection, output: URL, shard: ShardAssignment? = nil, resume: Bool = false,
                storage: StoredFloat = .float32) {
        self.model = model
        self.dataset = dataset
        self.output = output
        self.shard = shard
        self.resume = resume
        self.storage = storage
    }

    /// The file and folder names an embed output may hold (so an older set without a manifest may be replaced).
    public func ownsName(_ name: String) -> Bool {
        Embeddings.isSetFile(name) || model.poolings.contains { $0.folderName == name }
    }

    public func run(_ context: EvaluationContext) throws -> EmbeddingJobResult {
        let target = OutputFile.resolved(output)
        // An unusable destination, or one another process is writing, fails before any time is spent.
        try OutputFolder.checkReplaceable(target, kind: "embeddings", ownedNames: ownsName)
        let hadPartial = FileManager.default.fileExists(atPath: PartialExtraction.location(of: target).path)
        let partial = try PartialExtraction(of: target)
        do {
            return try run(into: target, partial: partial, context: context)
        } catch {
            // A failed fresh run leaves nothing behind; a resumable one keeps its progress for the next --resume.
            if !resume || !hadPartial && partial.progress() == nil { partial.remove() }
            throw error
        }
    }

    private func run(into target: URL, partial: PartialExtraction, context: EvaluationContext) throws -> EmbeddingJobResult {
        let model = try self.model.load(context)
        let data = try dataset.load()
        for w in data.warnings { context.warn(w) }
        // classes.txt and ids.txt hold one name a line: a name with a line break would shift every name after it.
        let hasLineBreak = { (name: String) in name.unicodeScalars.contains { $0 == "\n" || $0 == "\r" } }
        if let name = data.classes.first(where: hasLineBreak) ?? data.samples.lazy.map(\.id).first(where: hasLineBreak) {
            throw EmbeddingError.invalidArgument("dataset '\(data.name)': the name \(String(reflecting: name)) holds a line break, which classes.txt and ids.txt (one name a line) cannot keep; rename it")
        }

        let extractor = context.extractor
        let batchSize = extractor.effectiveBatchSize(for: model)
        let shard = self.shard.flatMap { $0.shard.isWhole ? nil : $0.shard }
        let range = try shard?.range(of: data.samples.count, batchSize: batchSize) ?? 0..<data.samples.count
        var fresh = try ExtractionRecord(model: model, dataset: data, selection: dataset, context: context, batchSize: batchSize,
                                         shard: shard.map { .init(index: $0.index, count: $0.count, start: range.lowerBound, end: range.upperBound) })
        fresh.dtype = storage == .float32 ? nil : storage
        let record = try fresh.roundTripped()
        let names = model.poolings.count == 1 ? [""] : model.poolings.map(\.folderName)

        if resume, let done = try completedSet(at: target, matching: record) {
            partial.remove()
            return done
        }
        var progress = try startingProgress(partial, record: record, names: names, data: data, context: context)
        let folder = try OutputFolder(target, kind: "embeddings", ownedNames: ownsName, staging: partial.set)
        let resumedAt = progress.samples
        let streaming = Date()
        try stream(data, range: range, model: model, extractor: extractor, names: names, partial: partial,
                   progress: &progress, context: context)
        guard progress.rows > 0 else {
            throw EmbeddingError.nothingEmbedded(dataset: data.name, skipped: progress.samples)
        }
        let skipped = try partial.skipped()
        var finalRecord = record
        finalRecord.skipped = skipped.map { SkippedSample(id: $0.id, reason: $0.reason) }
        let kept = Self.keptPositions(range, skipping: Set(skipped.map(\.position)))
        for (p, name) in names.enumerated() {
            let directory = partial.set.appendingPathComponent(name)
            try Embeddings.writeSetFiles(labels: kept.map { data.samples[$0].label }, ids: kept.map { data.samples[$0].id },
                                         classes: data.classes, into: directory)
            if names.count > 1 {
                try SetManifest(kind: "embeddings", describing: directory, rows: kept.count, dimension: progress.columns[p],
                                extraction: finalRecord).write(into: directory)
            }
        }
        let seconds = Date().timeIntervalSince(streaming)
        try folder.commit(rows: kept.count, dimension: names.count == 1 ? progress.columns.first : nil, extraction: finalRecord)
        partial.remove()
        try warnAboutHealth(of: names.map { target.appendingPathComponent($0) }, poolings: record.poolings, context: context)
        let sets = zip(record.poolings, zip(names, progress.columns)).map { pooling, pair in
            EmbeddingJobResult.WrittenSet(pooling: pooling, folder: target.appendingPathComponent(pair.0), rows: kept.count, dimension: pair.1)
        }
        return EmbeddingJobResult(sets: sets, record: finalRecord, samples: range.count, resumedAt: resumedAt,
                                  seconds: seconds, alreadyComplete: false)
    }

    /// The record to continue from: the partial run's own with `resume` (refused when it is another extraction),
    /// else a fresh one (a partial run found is discarded, with a warning, even when its record does not read back).
    private func startingProgress(_ partial: PartialExtraction, record: ExtractionRecord, names: [String], data: Dataset,
                                  context: EvaluationContext) throws -> ExtractionProgress {
        let found: ExtractionProgress?
        do { found = try partial.checkedProgress() } catch ShardError.corruptProgress(let path, let reason) where !resume {
            context.warn("discarding the partial extraction '\(partial.folder.path)': its record '\(path)' does not read back (\(reason))")
            found = nil
        }
        if resume, let found {
            try partial.checkContinuable(found, as: record, sets: names) { data.samples.indices.contains($0) ? data.samples[$0].id : nil }
            return found
        }
        if let found, found.samples > 0 {
            context.warn("discarding the partial extraction '\(partial.folder.path)' (\(found.samples) of \(record.shardSampleCount) samples done): pass --resume to continue it")
        }
        try partial.clear()
        return .start(record)
    }

    /// Runs the model over the batches not yet done, appending each to the staged files and recording it.
    private func stream(_ data: Dataset, range: Range<Int>, model: any ImageEmbeddingModel, extractor: EmbeddingExtractor,
                        names: [String], partial: PartialExtraction, progress: inout ExtractionProgress,
                        context: EvaluationContext) throws {
        for name in names where !name.isEmpty {
            let directory = partial.set.appendingPathComponent(name)
            do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
                throw OutputError.cannotCreate(path: directory.path, reason: OutputFile.reason(error))
            }
        }
        let files = names.map { partial.set.appendingPathComponent($0).appendingPathComponent("embeddings.npy") }
        var writers = try progress.columns.isEmpty ? [] : zip(files, zip(progress.columns, progress.bytes)).enumerated().map { p, file in
            try NumpyRowWriter(continuing: file.0, columns: file.1.0, bytes: file.1.1,
                               rowShape: model.sampleShape(ofPooling: p, columns: file.1.0), storage: storage)
        }
        let skippedLog = try WritableFile(partial.skippedLog, truncatingTo: progress.skippedBytes, mustHold: progress.skippedBytes)
        let label = "embed \(data.split ?? "")" + (progress.record.shard.map { " [shard \($0)]" } ?? "")
        let counter = context.progress?.start(label, total: range.count, completed: progress.samples)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]

        try extractor.stream(data, range: range, firstBatch: progress.batches, with: model, progress: counter) { batch in
            if writers.isEmpty, let first = batch.pooled.first, first.rows > 0 {
                writers = try zip(files, batch.pooled).enumerated().map { p, pair in
                    try NumpyRowWriter(creating: pair.0, columns: pair.1.columns, rowShape: model.sampleShape(ofPooling: p, columns: pair.1.columns),
                                       storage: storage)
                }
                progress.columns = batch.pooled.map(\.columns)
            }
            for (p, matrix) in batch.pooled.enumerated() {
                try Self.checkFinite(matrix, ids: batch.kept.map { data.samples[$0].id },
                                     source: "\(model.name) \(progress.record.poolings[p]) embeddings of '\(data.name)'")
                try writers[p].append(matrix)
            }
            var skippedBytes = 0
            for (position, sample) in batch.skipped {
                let line = try encoder.encode(SkippedEntry(position: position, id: sample.id, reason: sample.reason)) + Data("\n".utf8)
                try skippedLog.append(line)
                skippedBytes += line.count
                context.warn("skipped '\(sample.id)': \(sample.reason)")
            }
            for writer in writers { try writer.sync() }
            if skippedBytes > 0 { try skippedLog.sync() }
            progress.batches = batch.index + 1
            progress.samples = batch.range.upperBound - range.lowerBound
            progress.rows += batch.kept.count
            progress.bytes = writers.map(\.bytes)
            progress.skippedBytes += skippedBytes
            try partial.write(progress)
        }
        for writer in writers { try writer.finish() }
        try skippedLog.close()
    }

    /// The set at `target` when it is this very extraction, complete (a resumed job that had finished); nil when
    /// there is none. A finished set of another extraction is refused: `--resume` never replaces what it would not
    /// continue.
    private func completedSet(at target: URL, matching record: ExtractionRecord) throws -> EmbeddingJobResult? {
        guard let manifest = try? SetManifest.verified(in: target), var stored = manifest.extraction, manifest.kind == "embeddings" else { return nil }
        let skipped = stored.skipped
        stored.skipped = []
        if let difference = record.difference(from: stored) {
            throw ShardError.resumeMismatch(path: target.path, reason: difference)
        }
        if stored.shard != record.shard {
            throw ShardError.resumeMismatch(path: target.path, reason: "shard \(stored.shard.map(\.description) ?? "none (the whole set)"), not \(record.shard.map(\.description) ?? "the whole set")")
        }
        stored.skipped = skipped
        let names = record.poolings.count == 1 ? [""] : model.poolings.map(\.folderName)
        // Sizes are checked only for the files a manifest lists: one listing none of the rows is no finished set.
        let listed = Set(manifest.files.map(\.name))
        for name in names {
            if let file = Embeddings.setFiles.map({ name.isEmpty ? $0 : "\(name)/\($0)" }).first(where: { !listed.contains($0) }) {
                throw ShardError.incompleteSet(path: target.path, file: file)
            }
        }
        let sets = zip(record.poolings, names).map { pooling, name in
            let sub = name.isEmpty ? manifest : (try? SetManifest.verified(in: target.appendingPathComponent(name))) ?? manifest
            return EmbeddingJobResult.WrittenSet(pooling: pooling, folder: target.appendingPathComponent(name), rows: sub.rows ?? 0,
                                                 dimension: sub.dimension ?? 0)
        }
        return EmbeddingJobResult(sets: sets, record: stored, samples: record.shardSampleCount, resumedAt: record.shardSampleCount,
                                  seconds: 0, alreadyComplete: true)
    }

    /// A collapsed space (all-zero or constant rows, near-identical directions) is worth a warning; the sets are read
    /// back a block at a time into one small buffer, so a set of any size costs no memory to check.
    private func warnAboutHealth(of folders: [URL], poolings: [String], context: EvaluationContext) throws {
        for (folder, pooling) in zip(folders, poolings) where !pooling.hasPrefix("featuremap@") {
            let set = try EmbeddingFiles(embeddings: folder.appendingPathComponent("embeddings.npy"), labels: .stored).load()
            guard let rows = try ReadMatrix(folder.appendingPathComponent("embeddings.npy")) else { continue }
            let streamed = try Embeddings(rows: rows, labels: set.labels, ids: set.ids, classes: set.classes)
            for w in try EmbeddingHealth(streamed, seed: context.seed).warnings { context.warn(poolings.count > 1 ? "\(pooling): \(w)" : w) }
        }
    }

    /// NaN or ±Inf rows stop the run, naming their ids.
    static func checkFinite(_ matrix: Matrix, ids: [String], source: String) throws {
        guard matrix.values.contains(where: { !$0.isFinite }) else { return }
        let bad = (0..<matrix.rows).filter { r in matrix.values[(r * matrix.columns)..<((r + 1) * matrix.columns)].contains { !$0.isFinite } }
        throw EmbeddingError.nonFinite(count: bad.count, ids: bad.prefix(5).map { ids[$0] }, source: source)
    }

    static func keptPositions(_ range: Range<Int>, skipping skipped: Set<Int>) -> [Int] {
        skipped.isEmpty ? Array(range) : range.filter { !skipped.contains($0) }
    }
}

/// What an `EmbeddingJob` wrote.
public struct EmbeddingJobResult: Sendable {
    public struct WrittenSet: Sendable {
        public var pooling: String
        public var folder: URL
        public var rows: Int
        public var dimension: Int
    }

    public var sets: [WrittenSet]
    /// What the set is (with its skipped samples), as its manifest records it.
    public var record: ExtractionRecord
    /// Samples of this shard (all of the selection when unsharded).
    public var samples: Int
    /// Samples an earlier, killed process had done (0 for a fresh run).
    public var resumedAt: Int
    /// Seconds this process spent embedding (model and dataset loading aside).
    public var seconds: Double
    /// True when `--resume` found the set already complete and did nothing.
    public var alreadyComplete: Bool
}

extension ExtractionRecord {
    /// A record of `model` over the loaded selection `dataset`.
    init(model: any ImageEmbeddingModel, dataset: Dataset, selection: DatasetSelection, context: EvaluationContext,
         batchSize: Int, shard: ShardRange?) throws {
        self.init(model: ModelIdentity(name: model.name, sha256: model.metadata["sha256"].flatMap { if case .string(let s) = $0 { s } else { nil } },
                                       preprocessing: model.metadata["preprocessing"], metadata: model.metadata),
                  dataset: DatasetIdentity(spec: selection.location.spec, split: dataset.split, samples: selection.samples,
                                           seed: selection.seed, count: dataset.samples.count, classes: dataset.classes,
                                           fingerprint: try dataset.fingerprint(samples: selection.samples, seed: selection.seed)),
                  poolings: model.poolings.map(model.setName(of:)), batchSize: batchSize,
                  onBadImage: context.onBadImage, maxImagePixels: context.imageLimits.maximumPixels, shard: shard,
                  mergedFrom: nil, skipped: [])
    }

    /// Samples this set covers: its shard's, else the whole selection's.
    var shardSampleCount: Int { shard.map { $0.end - $0.start } ?? dataset.count }
}
