import Foundation

/// Embeddings computed earlier — by `embeval embed` or any other tool — as `.npy` rows, with where their labels
/// come from. `ids.txt` and `classes.txt` beside the `.npy` (as `embed` writes them) are read when present and
/// checked against the samples the rows are said to be. The one loader every command uses.
public struct EmbeddingFiles: Sendable {
    public var embeddings: URL
    public var labels: LabelSource

    public init(embeddings: URL, labels: LabelSource) {
        self.embeddings = embeddings
        self.labels = labels
    }

    /// Whether an `ids.txt` with one id per row lies beside the embeddings.
    public var hasIDList: Bool {
        guard case .samples(let samples) = labels, samples.ids != nil else {
            let ids = Embeddings.readLines(embeddings.deletingLastPathComponent().appendingPathComponent("ids.txt"))
            return ids != nil
        }
        return true
    }

    public var isLabelled: Bool {
        if case .none = labels { return false }
        return true
    }

    public func load() throws -> Embeddings {
        let directory = embeddings.deletingLastPathComponent()
        // A set written by embeval lists its files: a killed or mixed write is refused, never scored.
        _ = try SetManifest.verified(in: directory)
        let matrix = try NumpyArray.readMatrix(at: embeddings)
        guard matrix.rows >= 1 else {
            throw EmbeddingError.malformedFile(path: embeddings.path, location: nil, reason: "holds no rows")
        }
        let idsFile = directory.appendingPathComponent("ids.txt"), classesFile = directory.appendingPathComponent("classes.txt")
        let listedIDs = Embeddings.readLines(idsFile).flatMap { $0.count == matrix.rows ? $0 : nil }
        let listedClasses = Embeddings.readLines(classesFile)
        let rowNumbers = { (0..<matrix.rows).map(String.init) }

        switch labels {
        case .file(let url):
            let values = try NumpyArray.readLabels(at: url)
            guard values.count == matrix.rows else {
                throw EmbeddingError.malformedFile(path: url.path, location: nil, reason: "holds \(values.count) labels for \(matrix.rows) embeddings in '\(embeddings.path)'")
            }
            let labels = try ClassLabels(values, file: url)
            let classes = labels.names ?? listedClasses.flatMap { $0.count >= labels.classCount ? $0 : nil } ?? labels.numberNames
            return try Embeddings(matrix: matrix, labels: labels.ids, ids: listedIDs ?? rowNumbers(), classes: classes)

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
            return try Embeddings(matrix: matrix, labels: samples.labels, ids: samples.ids ?? listedIDs ?? rowNumbers(),
                                  classes: samples.classes ?? listedClasses.flatMap { $0.count >= classCount ? $0 : nil }
                                    ?? samples.numberNames)

        case .none:
            return try Embeddings(matrix: matrix, labels: [Int](repeating: 0, count: matrix.rows), ids: listedIDs ?? rowNumbers(),
                                  classes: ["unlabeled"])
        }
    }
}

/// Where the labels of precomputed embeddings come from.
public enum LabelSource: Sendable {
    /// A `.npy` of non-negative integer labels, one per row.
    case file(URL)
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
