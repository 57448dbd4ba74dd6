import Foundation

/// The hinge of the pipeline: one vector per sample, with labels, ids and class names.
/// Everything upstream produces one; every metric consumes one.
public struct Embeddings: Sendable {
    /// `samples × d`, rows in dataset order: a `Matrix` in memory, or rows mapped from `.npy` files and read a block
    /// at a time (`MappedMatrix`, or several of them: the shards of one set).
    public var rows: any RowBlocks
    public var labels: [Int]
    public var ids: [String]
    public var classes: [String]

    public init(matrix: Matrix, labels: [Int], ids: [String], classes: [String]) throws {
        try self.init(rows: matrix, labels: labels, ids: ids, classes: classes)
    }

    public init(rows: any RowBlocks, labels: [Int], ids: [String], classes: [String]) throws {
        guard labels.count == rows.rows else {
            throw EmbeddingError.mismatchedSamples("embeddings have \(rows.rows) rows but \(labels.count) labels")
        }
        guard ids.count == rows.rows else {
            throw EmbeddingError.mismatchedSamples("embeddings have \(rows.rows) rows but \(ids.count) ids")
        }
        guard rows.columns >= 1 || rows.rows == 0 else {
            throw EmbeddingError.degenerate("embeddings have \(rows.rows) rows of 0 dimensions: there is nothing to compare")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classes.count }) {
            throw EmbeddingError.mismatchedSamples("sample \(bad) has label \(labels[bad]), outside the \(classes.count) classes")
        }
        self.rows = rows
        self.labels = labels
        self.ids = ids
        self.classes = classes
    }

    /// The rows as one matrix in memory (a copy when they are mapped from disk: metrics that need them all — maps,
    /// agreement — take it; kNN and health read `rows` a block at a time instead).
    public var matrix: Matrix {
        get { rows as? Matrix ?? rows.materialized() }
        set { rows = newValue }
    }

    public var count: Int { rows.rows }
    public var dimension: Int { rows.columns }

    // MARK: Files

    /// The files of a set, as `embeval embed` writes them.
    public static let setFiles = ["embeddings.npy", "labels.npy", "ids.txt", "classes.txt"]

    /// Writes the set — `embeddings.npy` (float32 N×d), `labels.npy` (int64), `ids.txt`, `classes.txt` and the
    /// `manifest.json` listing them — as the folder `directory`, whole or not at all (see `OutputFolder`).
    public func write(to directory: URL) throws {
        let folder = try OutputFolder(directory, kind: "embeddings", ownedNames: Self.isSetFile)
        try folder.fill(writeFiles(into:))
        try folder.commit(rows: count, dimension: dimension)
    }

    /// Writes the set's files (and their manifest) into an existing folder that is itself being staged.
    public func writeSet(into directory: URL) throws {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotCreate(path: directory.path, reason: OutputFile.reason(error))
        }
        try writeFiles(into: directory)
        try SetManifest(kind: "embeddings", describing: directory, rows: count, dimension: dimension).write(into: directory)
    }

    static func isSetFile(_ name: String) -> Bool { setFiles.contains(name) || name == SetManifest.fileName }

    private func writeFiles(into directory: URL) throws {
        try NumpyArray.write(matrix, to: directory.appendingPathComponent("embeddings.npy"))
        try Self.writeSetFiles(labels: labels, ids: ids, classes: classes, into: directory)
    }

    /// The files of a set besides `embeddings.npy`: `labels.npy`, `ids.txt`, `classes.txt`.
    static func writeSetFiles(labels: [Int], ids: [String], classes: [String], into directory: URL) throws {
        try NumpyArray.write(labels: labels, to: directory.appendingPathComponent("labels.npy"))
        try writeLines(ids, to: directory.appendingPathComponent("ids.txt"))
        try writeLines(classes, to: directory.appendingPathComponent("classes.txt"))
    }

    /// Loads precomputed embeddings and their labels (`.npy`), with `ids.txt`/`classes.txt` beside them when present.
    public static func load(embeddings: URL, labels: URL) throws -> Embeddings {
        try EmbeddingFiles(embeddings: embeddings, labels: .file(labels)).load()
    }

    private static func writeLines(_ lines: [String], to url: URL) throws {
        try OutputFile(url.path).write(lines.joined(separator: "\n") + "\n")
    }

    static func readLines(_ url: URL) -> [String]? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

extension Embeddings {
    /// The rows of `ids`, in that order: aligns two runs that skipped different images or listed them differently.
    /// An id missing here, or listed twice, is an error.
    public func aligned(to ids: [String]) throws -> Embeddings {
        // Checked even when the order already fits: a repeated id would pair one row of the other side with two.
        var row = [String: Int](minimumCapacity: count)
        for (i, id) in self.ids.enumerated() where row.updateValue(i, forKey: id) != nil {
            throw EmbeddingError.mismatchedSamples("sample id '\(id)' appears twice among the embeddings: ids must be unique to pair samples")
        }
        if ids == self.ids { return self }
        let rows = try ids.map { id -> Int in
            guard let r = row[id] else { throw EmbeddingError.mismatchedSamples("sample '\(id)' is missing from one side: the two sides must embed the same samples") }
            return r
        }
        return try Embeddings(matrix: self.rows.selectingRows(rows), labels: rows.map { labels[$0] },
                              ids: ids, classes: classes)
    }
}
