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
    static func join(_ parts: [URL], into directory: URL, classes: [String]) throws -> (rows: Int, dimension: Int) {
        var writer: NumpyRowWriter? = nil
        var labels = [Int](), ids = [String]()
        for part in parts {
            let file = part.appendingPathComponent("embeddings.npy")
            guard let rows = try MappedMatrix.open(file) else {
                throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "not a float32 matrix as embeval embed writes it")
            }
            if writer == nil { writer = try NumpyRowWriter(creating: directory.appendingPathComponent("embeddings.npy"), columns: rows.columns) }
            guard let out = writer, rows.columns == out.columns else {
                throw ShardError.incompatible(shard: part.path, reason: "its embeddings are \(rows.columns)-dimensional, those before it \(writer?.columns ?? 0)-dimensional")
            }
            for start in stride(from: 0, to: rows.rows, by: block) {
                try rows.withRows(start..<min(start + block, rows.rows)) { try out.append(rawRows: Data(buffer: $0)) }
            }
            let partLabels = try NumpyArray.readLabels(at: part.appendingPathComponent("labels.npy"))
            let partIDs = Embeddings.readLines(part.appendingPathComponent("ids.txt")) ?? []
            guard partLabels.count == rows.rows, partIDs.count == rows.rows else {
                throw ShardError.incompatible(shard: part.path, reason: "holds \(rows.rows) rows but \(partLabels.count) labels and \(partIDs.count) ids")
            }
            labels += partLabels
            ids += partIDs
        }
        guard let writer else { throw ShardError.invalid("no shard folders given") }
        try writer.finish()
        try Embeddings.writeSetFiles(labels: labels, ids: ids, classes: classes, into: directory)
        return (labels.count, writer.columns)
    }
}
