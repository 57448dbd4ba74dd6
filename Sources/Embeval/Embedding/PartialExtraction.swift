import Foundation

/// The staging folder of a resumable extraction, beside its target: `.NAME.partial/`.
///
/// It holds `set/` — the future set, whose `.npy` files grow a batch at a time — `skipped.jsonl`, and
/// `progress.json`, the record rewritten (atomically) after every batch is synced to disk: what the run is, the
/// batches, samples and rows done, and each file's length at that moment. A run killed at any moment leaves files
/// at most one batch longer than the record says; a resume cuts them back to the record and goes on from the next
/// batch. The folder is locked (flock) while a process writes it, and deleted once the set is swapped into place.
struct PartialExtraction {
    let folder: URL
    private let lock: DirectoryLock

    static let progressFile = "progress.json"
    static let skippedFile = "skipped.jsonl"

    /// The partial folder of `target` (created if missing), locked for this process.
    init(of target: URL) throws {
        folder = Self.location(of: target)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotCreate(path: target.path, reason: OutputFile.reason(error))
        }
        lock = try DirectoryLock(folder, purpose: "writing it")
    }

    static func location(of target: URL) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial")
    }

    /// Where the set is staged.
    var set: URL { folder.appendingPathComponent("set") }
    var skippedLog: URL { folder.appendingPathComponent(Self.skippedFile) }

    /// The last record written, if a run got that far; an unreadable one counts as none (the run was killed before
    /// its first record, whose write is atomic, so that cannot happen through embeval).
    func progress() -> ExtractionProgress? {
        try? checkedProgress()
    }

    /// The last record written, if any; one that is there but does not read back as a record (edited by hand, or
    /// naming what no run writes) is an error, so that `--resume` keeps the batches done rather than start over.
    func checkedProgress() throws -> ExtractionProgress? {
        let url = folder.appendingPathComponent(Self.progressFile)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do { return try JSONDecoder().decode(ExtractionProgress.self, from: data) } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            throw ShardError.corruptProgress(path: url.path, reason: "\(context.field): \(context.debugDescription)")
        } catch {
            throw ShardError.corruptProgress(path: url.path, reason: "it is not a progress record embeval wrote")
        }
    }

    /// The samples left out so far: the lines of `skipped.jsonl`, or of its first `bytes` (what a record counts; a
    /// killed run may have written a line more).
    func skipped(upTo bytes: Int? = nil) throws -> [SkippedEntry] {
        var data = FileManager.default.contents(atPath: skippedLog.path) ?? Data()
        if let bytes {
            guard data.count >= bytes else {
                throw ShardError.corruptProgress(path: folder.appendingPathComponent(Self.progressFile).path,
                                                 reason: "it counts \(bytes) bytes of \(Self.skippedFile), which holds \(data.count)")
            }
            data = data.prefix(bytes)
            // A run writes whole lines: a resume's next line would be joined to a cut one.
            guard data.isEmpty || data.last == 0x0a else {
                throw ShardError.corruptProgress(path: folder.appendingPathComponent(Self.progressFile).path,
                                                 reason: "it counts \(bytes) bytes of \(Self.skippedFile), which end inside a line")
            }
        }
        return try data.split(separator: 0x0a).map { line in
            do { return try JSONDecoder().decode(SkippedEntry.self, from: Data(line)) } catch {
                throw EmbeddingError.malformedFile(path: skippedLog.path, location: nil, reason: "a line is not a skipped-sample record")
            }
        }
    }

    /// Throws unless `progress` can be continued by the job whose record is `record`, over samples whose ids `ids`
    /// gives by position: the same extraction and shard, counts that agree with each other and with the staged files
    /// (one per name in `sets`; "" is the set itself), each file holding at least what the record counts, a skipped log
    /// that names the samples at its positions, and staged rows that hold no NaN or Inf (they go into the set
    /// unchecked: such a row was committed before the health check refused it). Nothing is changed, so a refused
    /// partial run is kept as it was. Reads the staged rows once: seconds per gigabyte.
    func checkContinuable(_ progress: ExtractionProgress, as record: ExtractionRecord, sets names: [String],
                          ids: (Int) -> String?) throws {
        if let difference = record.difference(from: progress.record) {
            throw ShardError.resumeMismatch(path: folder.path, reason: difference)
        }
        if progress.record.shard != record.shard {
            throw ShardError.resumeMismatch(path: folder.path, reason: "shard \(progress.record.shard.map(\.description) ?? "none (the whole set)"), not \(record.shard.map(\.description) ?? "the whole set")")
        }
        let storage = record.dtype ?? .float32
        let files = names.map { $0.isEmpty ? "embeddings.npy" : "\($0)/embeddings.npy" }
        let recordFile = folder.appendingPathComponent(Self.progressFile).path, start = record.shard?.start ?? 0
        if let problem = progress.problem(total: record.shardSampleCount, batchSize: record.batchSize, files: files, valueBytes: storage.width) {
            throw ShardError.corruptProgress(path: recordFile, reason: problem)
        }
        // Files shorter than counted would be created or cut before the writers refuse them.
        for (file, bytes) in zip(files, progress.bytes) {
            let size = (try? FileManager.default.attributesOfItem(atPath: set.appendingPathComponent(file).path)[.size] as? Int) ?? 0
            guard size >= bytes else {
                throw ShardError.corruptProgress(path: recordFile, reason: "it counts \(bytes) bytes of \(file), which holds \(size)")
            }
        }
        let skipped = try skipped(upTo: progress.skippedBytes)
        if let problem = progress.problem(skipped: skipped, start: start, ids: ids) {
            throw ShardError.corruptProgress(path: recordFile, reason: problem)
        }
        for (file, (columns, bytes)) in zip(files, zip(progress.columns, progress.bytes)) {
            let url = set.appendingPathComponent(file)
            if let row = try NumpyRowWriter.nonFiniteRow(in: url, columns: columns, bytes: bytes, storage: storage) {
                let kept = (start..<(start + progress.samples)).lazy.filter { p in !skipped.contains { $0.position == p } }
                let id = kept.dropFirst(row).first.flatMap(ids).map { " (sample '\($0)')" } ?? ""
                throw ShardError.corruptProgress(path: url.path, reason: "its row \(row)\(id) holds NaN or Inf, which no run writes")
            }
        }
    }

    func write(_ progress: ExtractionProgress) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try OutputFile(folder.appendingPathComponent(Self.progressFile).path).write(try encoder.encode(progress))
    }

    /// Empties the folder for a fresh start (it stays, and stays locked).
    func clear() throws {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            do { try FileManager.default.removeItem(at: folder.appendingPathComponent(name)) } catch {
                throw OutputError.cannotWrite(path: folder.appendingPathComponent(name).path, reason: OutputFile.reason(error))
            }
        }
    }

    /// Deletes the folder (after the set was swapped into place, or when a failed fresh run leaves nothing behind).
    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// The progress record of a partial extraction (`progress.json`).
struct ExtractionProgress: Codable, Equatable {
    /// What is being extracted: a resume must match it.
    var record: ExtractionRecord
    /// Batches done, counted from the shard's first.
    var batches: Int
    /// Samples covered (embedded or skipped) and rows written.
    var samples: Int
    var rows: Int
    /// Per pooling: the row width (empty before the first batch) and the `.npy` file's length in bytes.
    var columns: [Int]
    var bytes: [Int]
    /// Length of `skipped.jsonl`.
    var skippedBytes: Int

    enum CodingKeys: String, CodingKey {
        case record, batches, samples, rows, columns, bytes
        case skippedBytes = "skipped_bytes"
    }

    /// Why this record cannot be continued from, or nil: the counts a run writes agree with each other, with its
    /// shard of `total` samples in batches of `batchSize`, and with its `.npy` files (one per name in `files`, of
    /// `valueBytes`-byte values). A hand-edited record would otherwise send the resume into overflowing offsets and
    /// allocations, or into a set whose files disagree on its rows.
    func problem(total: Int, batchSize: Int, files: [String], valueBytes: Int) -> String? {
        let poolings = files.count
        guard batches >= 0, samples >= 0, rows >= 0, skippedBytes >= 0, bytes.allSatisfy({ $0 >= 0 }) else {
            return "it records negative counts"
        }
        guard samples <= total, rows <= samples else { return "it records \(samples) samples and \(rows) rows of a run of \(total) samples" }
        let (covered, overflow) = batches.multipliedReportingOverflow(by: max(batchSize, 1))
        guard !overflow, min(covered, total) == samples else {
            return "it records \(batches) batches of \(batchSize), which do not make its \(samples) samples"
        }
        guard columns.isEmpty ? rows == 0 : columns.count == poolings && bytes.count == poolings,
              columns.allSatisfy({ (1...Self.widestRow).contains($0) }) else {
            return "it records row widths \(columns) for \(poolings) pooling(s) and \(rows) rows"
        }
        for (file, (width, length)) in zip(files, zip(columns, bytes)) {
            let rowBytes = width * valueBytes, data = length - NumpyRowWriter.headerSize
            guard data >= 0, data % rowBytes == 0 else {
                return "it records \(length) bytes of \(file), not a \(NumpyRowWriter.headerSize)-byte header and whole rows of \(width) values"
            }
            guard data / rowBytes == rows else { return "it records \(data / rowBytes) rows of \(width) values in \(file), not its \(rows) rows" }
        }
        guard !columns.isEmpty || bytes.isEmpty else { return "it records file lengths \(bytes) before any row width" }
        return nil
    }

    /// Why the `skipped` samples of a record's log cannot be its: one for every sample done (positions `start`
    /// onwards, in the whole selection) and not written as a row, each once, named as `ids` names the sample there.
    func problem(skipped: [SkippedEntry], start: Int, ids: (Int) -> String?) -> String? {
        guard skipped.count == samples - rows else {
            return "its skipped.jsonl lists \(skipped.count) skipped sample(s), where \(samples) samples and \(rows) rows leave \(samples - rows)"
        }
        let done = start..<(start + samples)
        var seen = Set<Int>()
        for entry in skipped {
            guard done.contains(entry.position) else {
                return "its skipped.jsonl lists position \(entry.position), outside the positions done (\(done.lowerBound)..<\(done.upperBound))"
            }
            guard seen.insert(entry.position).inserted else { return "its skipped.jsonl lists position \(entry.position) twice" }
            guard let id = ids(entry.position), id == entry.id else {
                return "its skipped.jsonl names \(String(reflecting: entry.id)) at position \(entry.position), where the dataset has \(ids(entry.position).map { String(reflecting: $0) } ?? "no sample")"
            }
        }
        return nil
    }

    /// The widest row a record may name: 2³⁰ values (4 GB a row), past any feature map, and far enough from
    /// overflow that rows × width × 4 bytes stays an Int.
    static let widestRow = 1 << 30

    static func start(_ record: ExtractionRecord) -> ExtractionProgress {
        ExtractionProgress(record: record, batches: 0, samples: 0, rows: 0, columns: [], bytes: [], skippedBytes: 0)
    }
}

/// One line of `skipped.jsonl`: a sample left out, with its position among the selected samples.
struct SkippedEntry: Codable {
    var position: Int
    var id: String
    var reason: String
}
