import Foundation

/// `embeval merge`: the shards of one extraction joined into the set a single process would have written — the same
/// files, `embeddings.npy`, `labels.npy`, `ids.txt` and `classes.txt` byte for byte — whose `manifest.json` records
/// the shards it was joined from. Rows are copied a block at a time from the mapped shard files, so memory stays
/// small whatever the size; the result is written whole or not at all (`OutputFolder`).
public enum EmbeddingMerge {
    public struct Result: Sendable {
        public var output: URL
        public var record: ExtractionRecord
        /// Per pooling: its name, rows and width.
        public var sets: [(pooling: String, rows: Int, dimension: Int)]
    }

    /// Rows copied at a time.
    static let block = 16_384

    public static func run(shards: [URL], into output: URL) throws -> Result {
        let set = try ShardSet(shards)
        // Replacing a shard read (an embeddings set too) with the merged set would lose it.
        let target = output.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        if let read = set.members.first(where: { target.starts(with: $0.folder.standardizedFileURL.resolvingSymlinksInPath().pathComponents) }) {
            throw OutputError.cannotWrite(path: output.path, reason: "it is, or is inside, the shard '\(read.folder.path)' this merge reads; choose a folder outside the shards")
        }
        let record = set.joinedRecord
        let names = record.poolings.count == 1 ? [""] : record.poolings.map(Pooling.folderName(for:))
        let folder = try OutputFolder(output, kind: "embeddings", ownedNames: { Embeddings.isSetFile($0) || names.contains($0) })
        var sets = [(pooling: String, rows: Int, dimension: Int)]()
        try folder.fill { staging in
            for (pooling, name) in zip(record.poolings, names) {
                let directory = staging.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let (rows, dimension) = try join(set.members.map { $0.folder.appendingPathComponent(name) }, into: directory,
                                                 classes: record.dataset.classes)
                if names.count > 1 {
                    try SetManifest(kind: "embeddings", describing: directory, rows: rows, dimension: dimension, extraction: record)
                        .write(into: directory)
                }
                sets.append((pooling, rows, dimension))
            }
        }
        try folder.commit(rows: sets.first?.rows, dimension: names.count == 1 ? sets.first?.dimension : nil, extraction: record)
        return Result(output: folder.target, record: record, sets: sets)
    }

    /// Writes the files of one pooling's set from its shard folders, in order; gives its rows and width.
    /// Rows are copied as stored (float32 or `--dtype float16`; feature maps keep their [C, H, W] row shape).
    static func join(_ parts: [URL], into directory: URL, classes: [String]) throws -> (rows: Int, dimension: Int) {
        var writer: NumpyRowWriter? = nil
        var labels = [Int](), ids = [String]()
        for part in parts {
            let file = part.appendingPathComponent("embeddings.npy")
            let rows = try StoredRows(file)
            if writer == nil {
                writer = try NumpyRowWriter(creating: directory.appendingPathComponent("embeddings.npy"), columns: rows.columns,
                                            rowShape: rows.rowShape, storage: rows.storage)
            }
            guard let out = writer, rows.rowShape == out.rowShape, rows.storage == out.storage else {
                let shape = { (s: [Int]) in "[" + s.map(String.init).joined(separator: ", ") + "]" }
                throw ShardError.incompatible(shard: part.path, reason: "its rows are \(rows.storage.rawValue) of shape \(shape(rows.rowShape)), those before it \(writer.map { "\($0.storage.rawValue) of shape \(shape($0.rowShape))" } ?? "")")
            }
            let partLabels = try NumpyArray.readLabels(at: part.appendingPathComponent("labels.npy"))
            let partIDs = Embeddings.readLines(part.appendingPathComponent("ids.txt")) ?? []
            guard partLabels.count == rows.count, partIDs.count == rows.count else {
                throw ShardError.incompatible(shard: part.path, reason: "holds \(rows.count) rows but \(partLabels.count) labels and \(partIDs.count) ids")
            }
            // Rows are copied unconverted, so a value damaged since `embed` checked it is caught here or on every load.
            let rowBytes = rows.columns * rows.storage.width
            for start in stride(from: 0, to: rows.count, by: block) {
                let end = min(start + block, rows.count)
                try rows.file.withBytes((rows.offset + start * rowBytes)..<(rows.offset + end * rowBytes)) { bytes in
                    if let value = rows.storage.firstNonFinite(in: bytes) {
                        let row = start + value / rows.columns
                        throw EmbeddingError.malformedFile(path: file.path, location: "row \(row) (sample '\(partIDs[row])')",
                                                           reason: "holds NaN or Inf, which no run writes; embed this shard again")
                    }
                    try out.append(rawRows: Data(bytes))
                }
            }
            labels += partLabels
            ids += partIDs
        }
        guard let writer else { throw ShardError.invalid("no shard folders given") }
        try writer.finish()
        try Embeddings.writeSetFiles(labels: labels, ids: ids, classes: classes, into: directory)
        return (labels.count, writer.columns)
    }

    /// A shard's `embeddings.npy` as `embed` writes it: little-endian float32 or float16, C order, N rows of any
    /// row shape; its data checked against the file's size before a byte is copied.
    struct StoredRows {
        let file: MappedFile
        let offset: Int
        let count: Int
        let rowShape: [Int]
        let columns: Int
        let storage: StoredFloat

        init(_ url: URL) throws {
            file = try MappedFile(url)
            let refuse = EmbeddingError.malformedFile(path: url.path, location: nil, reason: "not a float32 or float16 array of rows as embeval embed writes it")
            guard let (header, offset) = try? NumpyArray.parsePrefix(file.prefix(1 << 16), file: url), !header.shape.isEmpty else { throw refuse }
            switch header.descr {
            case "<f4", "=f4": storage = .float32
            case "<f2", "=f2": storage = .float16
            default: throw refuse
            }
            var columns = 1
            for size in header.shape.dropFirst() {
                let (product, overflow) = columns.multipliedReportingOverflow(by: size)
                guard !overflow, size >= 1 else { throw refuse }
                columns = product
            }
            let (rowBytes, wide) = columns.multipliedReportingOverflow(by: storage.width)
            let (bytes, overflow) = header.shape[0].multipliedReportingOverflow(by: rowBytes)
            guard header.shape[0] >= 1, !wide, !overflow, bytes <= file.size - offset else { throw refuse }
            self.offset = offset
            self.count = header.shape[0]
            self.rowShape = header.shape.count == 1 ? [1] : Array(header.shape.dropFirst())
            self.columns = columns
        }
    }
}
