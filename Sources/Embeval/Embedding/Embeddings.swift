import Foundation

/// The hinge of the pipeline: one vector per sample, with labels, ids and class names.
/// Everything upstream produces one; every metric consumes one.
public struct Embeddings: Sendable {
    /// `samples × d`, rows in dataset order.
    public var matrix: Matrix
    public var labels: [Int]
    public var ids: [String]
    public var classes: [String]

    public init(matrix: Matrix, labels: [Int], ids: [String], classes: [String]) throws {
        guard labels.count == matrix.rows else {
            throw EmbevalError.input("embeddings have \(matrix.rows) rows but \(labels.count) labels")
        }
        guard ids.count == matrix.rows else {
            throw EmbevalError.input("embeddings have \(matrix.rows) rows but \(ids.count) ids")
        }
        self.matrix = matrix
        self.labels = labels
        self.ids = ids
        self.classes = classes
    }

    public var count: Int { matrix.rows }
    public var dimension: Int { matrix.columns }

    // MARK: Files

    /// Writes `embeddings.npy` (float32 N×d), `labels.npy` (int64), `ids.txt` and `classes.txt` into `directory`.
    public func write(to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw EmbevalError.io("cannot create '\(directory.path)': \(error.localizedDescription)")
        }
        try NumpyArray.write(matrix, to: directory.appendingPathComponent("embeddings.npy"))
        try NumpyArray.write(labels: labels, to: directory.appendingPathComponent("labels.npy"))
        try writeLines(ids, to: directory.appendingPathComponent("ids.txt"))
        try writeLines(classes, to: directory.appendingPathComponent("classes.txt"))
    }

    /// Loads precomputed embeddings and labels (`.npy`); ids default to row numbers, classes to label numbers.
    /// `ids.txt`/`classes.txt` next to the embeddings are picked up when present.
    public static func load(embeddings: URL, labels: URL) throws -> Embeddings {
        let matrix = try NumpyArray.readMatrix(at: embeddings)
        let labelValues = try NumpyArray.readLabels(at: labels)
        guard labelValues.count == matrix.rows else {
            throw EmbevalError.input("'\(labels.path)' holds \(labelValues.count) labels for \(matrix.rows) embeddings in '\(embeddings.path)'")
        }
        if let bad = labelValues.firstIndex(where: { $0 < 0 }) {
            throw EmbevalError.input("'\(labels.path)' row \(bad): negative label \(labelValues[bad])")
        }
        let dir = embeddings.deletingLastPathComponent()
        var ids = readLines(dir.appendingPathComponent("ids.txt")) ?? []
        if ids.count != matrix.rows { ids = (0..<matrix.rows).map(String.init) }
        let classCount = (labelValues.max() ?? -1) + 1
        var classes = readLines(dir.appendingPathComponent("classes.txt")) ?? []
        if classes.count < classCount { classes = (0..<classCount).map(String.init) }
        return try Embeddings(matrix: matrix, labels: labelValues, ids: ids, classes: classes)
    }

    private func writeLines(_ lines: [String], to url: URL) throws {
        do { try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8) } catch {
            throw EmbevalError.io("cannot write '\(url.path)': \(error.localizedDescription)")
        }
    }

    private static func readLines(_ url: URL) -> [String]? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

extension Embeddings {
    /// The rows whose ids are in `keep`, in their order: aligns two runs that skipped different images.
    public func restricted(to keep: Set<String>) -> Embeddings {
        let rows = ids.indices.filter { keep.contains(ids[$0]) }
        guard rows.count != count else { return self }
        return try! Embeddings(matrix: matrix.selectingRows(rows), labels: rows.map { labels[$0] },
                               ids: rows.map { ids[$0] }, classes: classes)
    }
}
