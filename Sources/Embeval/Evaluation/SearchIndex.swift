import Foundation

/// What `embeval search` looks in: a set `embed` wrote (a folder, its shard folders, or a `.npy` with `ids.txt`
/// beside it), mapped from disk, one pooling of it. Results are named by id, so an index without ids is refused.
public struct SearchIndex: Sendable {
    /// The paths as given, for messages.
    public var paths: [URL]
    public var embeddings: Embeddings
    /// The pooling the rows are (`cls`, `output:image_embeds`, …), when the manifest says; nil for another tool's file.
    public var pooling: String?
    /// What the manifest says about the extraction: the model that made the rows, the dataset they are of.
    public var record: ExtractionRecord?
    /// Whether the rows carry labels (a `labels.npy` beside them): hits then show their class.
    public var isLabelled: Bool

    /// Opens the index at `paths`; `pooling` picks one set of a folder holding several (required then).
    public init(paths: [URL], pooling: String? = nil) throws {
        guard let first = paths.first else { throw EvaluationError.missingInput("no index given") }
        let stored = try StoredSets(paths)
        let chosen: StoredSets.Pooling
        if stored.poolings.count == 1 {
            chosen = stored.poolings[0]
        } else if let pooling, let match = stored.poolings.first(where: { $0.name == pooling }) {
            chosen = match
        } else {
            let names = stored.poolings.map(\.name).joined(separator: ", ")
            throw EvaluationError.invalidParameter(name: "--pooling", value: pooling ?? "(none)",
                                                   expected: "one of the index's poolings: \(names)")
        }
        let setPooling = chosen.name == "precomputed" ? stored.record?.poolings.first : chosen.name
        if let pooling, let setPooling, pooling != setPooling {
            throw EvaluationError.invalidParameter(name: "--pooling", value: pooling, expected: "the index's pooling, \(setPooling)")
        }
        if let missing = chosen.files.first(where: { !FileManager.default.fileExists(atPath: $0.path) }) {
            throw EmbeddingError.unreadable(path: missing.path, reason: "no such file (the index is a folder embed wrote, or a .npy with ids.txt beside it)")
        }
        let folders = chosen.files.map { $0.deletingLastPathComponent() }
        var listed = [String]()
        for folder in folders {
            guard let ids = Embeddings.readLines(folder.appendingPathComponent("ids.txt")) else {
                throw EmbeddingError.unreadable(path: folder.appendingPathComponent("ids.txt").path,
                                                reason: "no such file: search names its results by id (embed writes ids.txt; beside another tool's .npy, write one id per row)")
            }
            listed += ids
        }
        let labelled = folders.allSatisfy { FileManager.default.fileExists(atPath: $0.appendingPathComponent("labels.npy").path) }
        let embeddings = try EmbeddingFiles(paths: paths, labels: labelled ? .stored : .none).load(chosen.files)
        guard embeddings.ids == listed else {
            throw EmbeddingError.mismatchedSamples("index '\(first.path)': its ids.txt lists \(listed.count) ids for \(embeddings.count) rows (one id per row expected)")
        }
        self.paths = paths
        self.embeddings = embeddings
        self.pooling = setPooling
        self.record = stored.record
        self.isLabelled = labelled
    }

    public var count: Int { embeddings.count }
    public var dimension: Int { embeddings.dimension }
    /// The index as messages name it.
    public var name: String { paths.map(\.relativePath).joined(separator: ", ") }

    /// Refuses queries of another width: they come from another model (or another pooling) than the rows.
    func check(queries: Matrix, from origin: String) throws {
        guard queries.columns == dimension else {
            throw EmbeddingError.mismatchedSamples("\(origin) gives \(queries.columns)-dimensional embeddings but the index '\(name)' holds \(dimension)-dimensional ones\(pooling.map { " (\($0))" } ?? ""): query with the model and pooling that made the index")
        }
    }
}
