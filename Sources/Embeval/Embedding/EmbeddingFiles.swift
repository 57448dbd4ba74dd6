import Foundation

/// Embeddings computed earlier — by `embeval embed` or any other tool — with where their labels come from: a `.npy`
/// of rows, a folder `embed` wrote (one pooling or one sub-folder per pooling), or the shard folders of a sharded
/// extraction (`StoredSets`), joined in order. `ids.txt` and `classes.txt` beside each `.npy` (as `embed` writes
/// them) are read when present and checked against the samples the rows are said to be. Rows of float32 files are
/// mapped from disk, not read into memory. The one loader every command uses.
public struct EmbeddingFiles: Sendable {
    /// What the user pointed at: one `.npy` file, or folders (sets, shard folders, folders holding shards).
    public var paths: [URL]
    public var labels: LabelSource

    public init(embeddings: URL, labels: LabelSource) {
        self.init(paths: [embeddings], labels: labels)
    }

    public init(paths: [URL], labels: LabelSource) {
        self.paths = paths
        self.labels = labels
    }

    /// The first path: what messages name.
    public var embeddings: URL { paths[0] }

    /// Whether an `ids.txt` with one id per row lies beside the embeddings.
    public var hasIDList: Bool {
        guard case .samples(let samples) = labels, samples.ids != nil else {
            let files = (try? StoredSets(paths))?.poolings.first?.files ?? paths
            return files.allSatisfy { Embeddings.readLines($0.deletingLastPathComponent().appendingPathComponent("ids.txt")) != nil }
        }
        return true
    }

    public var isLabelled: Bool {
        if case .none = labels { return false }
        return true
    }

    /// The first (or only) pooling's set.
    public func load() throws -> Embeddings { try loadSets().sets[0].embeddings }

    /// Every pooling's set, and what the manifests say about them.
    public func loadSets() throws -> LoadedEmbeddings {
        let stored = try StoredSets(paths)
        let sets = try stored.poolings.map { (name: $0.name, embeddings: try load($0.files)) }
        return LoadedEmbeddings(sets: sets, record: stored.record, loneShard: stored.loneShard)
    }

    /// One set whose rows are those of `files`, one after the other.
    func load(_ files: [URL]) throws -> Embeddings {
        var parts = [any RowBlocks](), partIDs = [[String]?](), storedLabels = [Int]()
        var listedClasses: [String]? = nil
        for file in files {
            let directory = file.deletingLastPathComponent()
            // A set written by embeval lists its files: a killed or mixed write is refused, never scored.
            let manifest = try SetManifest.verified(in: directory)
            let rows: any RowBlocks = try MappedMatrix.open(file) ?? NumpyArray.readMatrix(at: file)
            if let first = parts.first, first.columns != rows.columns {
                throw EmbeddingError.mismatchedSamples("'\(file.path)' holds \(rows.columns)-dimensional embeddings but '\(files[0].path)' \(first.columns)-dimensional: they cannot be one set")
            }
            parts.append(rows)
            let idsFile = directory.appendingPathComponent("ids.txt"), classesFile = directory.appendingPathComponent("classes.txt")
            let ids = Embeddings.readLines(idsFile)
            if let ids, ids.count != rows.rows {
                throw EmbeddingError.malformedFile(path: idsFile.path, location: nil, reason: "lists \(ids.count) ids for the \(rows.rows) rows of '\(file.path)' (one id a line)")
            }
            partIDs.append(ids)
            let classes = Embeddings.readLines(classesFile)
            if let classes, let recorded = manifest?.extraction?.dataset.classes, classes != recorded {
                throw EmbeddingError.malformedFile(path: classesFile.path, location: nil, reason: "lists \(classes.count) class names where the set's manifest records \(recorded.count) (\(recorded.prefix(3).map { String(reflecting: $0) }.joined(separator: ", "))…): edited, or a name held a line break")
            }
            if listedClasses == nil { listedClasses = classes }
            if case .stored = labels {
                let url = directory.appendingPathComponent("labels.npy")
                guard FileManager.default.fileExists(atPath: url.path) else {
                    throw EmbeddingError.unreadable(path: url.path, reason: "no such file (give --labels for embeddings without a labels.npy beside them)")
                }
                let values = try NumpyArray.readLabels(at: url)
                guard values.count == rows.rows else {
                    throw EmbeddingError.malformedFile(path: url.path, location: nil, reason: "holds \(values.count) labels for \(rows.rows) embeddings in '\(file.path)'")
                }
                storedLabels += values
            }
        }
        let matrix: any RowBlocks = parts.count == 1 ? parts[0] : ConcatenatedRows(parts)
        guard matrix.rows >= 1 else {
            throw EmbeddingError.malformedFile(path: embeddings.path, location: nil, reason: "holds no rows")
        }
        let listedIDs: [String]? = partIDs.contains { $0 == nil } ? nil : partIDs.flatMap { $0 ?? [] }
        let rowNumbers = { (0..<matrix.rows).map(String.init) }
        let idsFile = files[0].deletingLastPathComponent().appendingPathComponent("ids.txt")
        let classesFile = files[0].deletingLastPathComponent().appendingPathComponent("classes.txt")

        switch labels {
        case .file, .stored:
            var values = storedLabels, url = files[0].deletingLastPathComponent().appendingPathComponent("labels.npy")
            if case .file(let given) = labels {
                url = given
                values = try NumpyArray.readLabels(at: given)
                guard values.count == matrix.rows else {
                    throw EmbeddingError.malformedFile(path: given.path, location: nil, reason: "holds \(values.count) labels for \(matrix.rows) embeddings in '\(embeddings.path)'")
                }
            }
            let labels = try ClassLabels(values, file: url)
            let classes = labels.names ?? listedClasses.flatMap { $0.count >= labels.classCount ? $0 : nil } ?? labels.numberNames
            return try Embeddings(rows: matrix, labels: labels.ids, ids: listedIDs ?? rowNumbers(), classes: classes)

        case .samples(let samples):
            if let listed = listedClasses, let classes = samples.classes, listed != classes {
                throw EmbeddingError.mismatchedSamples("'\(classesFile.path)' lists classes \(listed.prefix(3))… but \(samples.origin) has \(classes.prefix(3))…: the two sides disagree on the classes")
            }
            guard matrix.rows == samples.labels.count else {
                throw EmbeddingError.mismatchedSamples("embeddings '\(embeddings.path)' have \(matrix.rows) rows but the samples are \(samples.labels.count) (\(samples.origin)): both must cover the same samples")
            }
            if let listed = listedIDs, let ids = samples.ids, let row = listed.indices.first(where: { listed[$0] != ids[$0] }) {
                throw EmbeddingError.mismatchedSamples("embeddings '\(embeddings.path)' row \(row) is sample '\(listed[row])' ('\(idsFile.path)') but \(samples.origin) has '\(ids[row])' there: the rows are other samples (another --seed or --samples?)")
            }
            let classCount = (samples.labels.max() ?? -1) + 1
            return try Embeddings(rows: matrix, labels: samples.labels, ids: samples.ids ?? listedIDs ?? rowNumbers(),
                                  classes: samples.classes ?? listedClasses.flatMap { $0.count >= classCount ? $0 : nil }
                                    ?? samples.numberNames)

        case .none:
            return try Embeddings(rows: matrix, labels: [Int](repeating: 0, count: matrix.rows), ids: listedIDs ?? rowNumbers(),
                                  classes: ["unlabeled"])
        }
    }
}

/// Precomputed sets as loaded: one per pooling, and what their manifests say they are.
public struct LoadedEmbeddings: Sendable {
    public var sets: [(name: String, embeddings: Embeddings)]
    /// The extraction the rows come from (model hash, dataset fingerprint, settings; for joined shards, the shards
    /// in `mergedFrom`); nil for files another tool wrote.
    public var record: ExtractionRecord?
    /// Set when the rows are one shard of a larger run, given alone.
    public var loneShard: ExtractionRecord.ShardRange?
}

/// Where the labels of precomputed embeddings come from.
public enum LabelSource: Sendable {
    /// A `.npy` of non-negative integer labels, one per row.
    case file(URL)
    /// The `labels.npy` beside each set's `embeddings.npy`, as `embed` writes them.
    case stored
    /// Known samples (a dataset, or labels shared by both sides of a comparison) that the rows are, in order.
    case samples(SampleList)
    /// None: label-free uses only (agreement, unlabelled maps).
    case none
}

/// The samples that rows of precomputed embeddings stand for: labels, and ids and class names where known.
public struct SampleList: Sendable {
    public var labels: [Int]
    /// Nil when only the order is known (a bare labels file): then ids come from the embeddings' `ids.txt`.
    public var ids: [String]?
    public var classes: [String]?
    /// Where they come from, for messages: `dataset 'fashion-mnist'`, `labels 'l.npy'`.
    public var origin: String
    /// "0", "1", … for each class, when the labels have no names.
    var numberNames: [String]

    public init(_ dataset: Dataset) {
        labels = dataset.labels
        ids = dataset.ids
        classes = dataset.classes
        origin = "dataset '\(dataset.name)'"
        numberNames = (0..<dataset.classes.count).map(String.init)
    }

    /// Labels from a `.npy` file (negative labels refused).
    public init(labelsFile url: URL) throws {
        let mapped = try ClassLabels(try NumpyArray.readLabels(at: url), file: url)
        labels = mapped.ids
        ids = nil
        classes = mapped.names
        numberNames = mapped.numberNames
        origin = "labels '\(url.path)'"
    }
}

/// Integer labels read from a file, as class ids. Labels below 2²⁰ are the class ids themselves (names "0", "1", …);
/// larger ones (hashes, database keys) are mapped to the rank of their distinct values, named by their value, so no
/// table is ever sized by a label's value. Negative labels are refused.
struct ClassLabels {
    static let largestDirectLabel = 1 << 20

    var ids: [Int]
    /// The names of mapped labels (their values); nil when labels are class ids.
    var names: [String]?
    var classCount: Int

    init(_ values: [Int], file: URL) throws {
        if let bad = values.firstIndex(where: { $0 < 0 }) {
            throw EmbeddingError.malformedFile(path: file.path, location: "row \(bad)", reason: "negative label \(values[bad])")
        }
        if (values.max() ?? 0) < Self.largestDirectLabel {
            ids = values
            names = nil
            classCount = (values.max() ?? -1) + 1
        } else {
            let distinct = Array(Set(values)).sorted()
            let rank = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
            ids = values.map { rank[$0] ?? 0 }
            names = distinct.map(String.init)
            classCount = distinct.count
        }
    }

    /// "0", "1", … for the class ids.
    var numberNames: [String] { names ?? (0..<classCount).map(String.init) }
}
