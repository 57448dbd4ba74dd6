import Foundation

/// Data health from embeddings (`embeval audit`): exact and near duplicates, label-error candidates, outliers,
/// uniqueness, class balance — computed on the first pooling's embeddings of a model run or of files.
public struct AuditTask: Sendable {
    public var source: EmbeddingSource
    public var settings: DataAudit.Settings
    public var modelName: String?

    public init(source: EmbeddingSource, settings: DataAudit.Settings, modelName: String? = nil) {
        self.source = source
        self.settings = settings
        self.modelName = modelName
    }

    public func run(_ context: EvaluationContext) throws -> AuditReport {
        var context = context
        context.digestsInputs = true
        let data = try source.embed(includingTrain: source.hasTrain, context: context)
        var timings = data.timings
        let set = data.sets[0]
        let embeddings = set.query
        let audit = try timings.measure("audit") {
            try onSet(data.origin(of: set)) {
                try DataAudit(embeddings.rows, labels: data.isLabelled ? embeddings.labels : nil,
                              classCount: max(embeddings.classes.count, (embeddings.labels.max() ?? 0) + 1), settings: settings)
            }
        }
        var exact = [AuditReport.ExactDuplicates]()
        try timings.measure("exact_duplicates") {
            if let digests = data.inputDigests, digests.count == embeddings.count {
                exact.append(.init(kind: "identical_inputs", groups: Self.groups(of: digests)))
            } else {
                // Precomputed embeddings: rows equal bit for bit stand for equal model inputs.
                let rows = (0..<embeddings.count).map { i in embeddings.rows.withRows(i..<(i + 1)) { ContentDigest(bytes: UnsafeRawBufferPointer($0)) } }
                exact.append(.init(kind: "identical_embeddings", groups: Self.groups(of: rows)))
            }
            if let images = data.images {
                exact.append(.init(kind: "identical_files", groups: Self.groups(of: try Self.fileDigests(images, ids: embeddings.ids))))
            }
        }
        // A near duplicate of a train sample in the audited split is a leak: listed apart.
        var leaks: (pairs: SimilarPairs, trainIDs: [String])? = nil
        if let train = set.train {
            guard train.dimension == embeddings.dimension else {
                throw MetricError.incompatibleSets("audit: the train embeddings have \(train.dimension) dimensions, the audited \(embeddings.dimension)")
            }
            let pairs = timings.measure("train_leaks") {
                NearestNeighbors.similarPairs(queries: embeddings.rows, references: train.rows, normalizing: true,
                                              atLeast: Float(audit.duplicateSimilarity), pairLimit: settings.pairLimit)
            }
            leaks = (pairs, train.ids)
        }
        timings.append("total", Date().timeIntervalSince(data.started))
        return AuditReport(audit: audit, embeddings: embeddings, exact: exact, leaks: leaks, isLabelled: data.isLabelled,
                           modelName: modelName ?? data.model.name, model: data.model.metadata, dataset: data.summary(),
                           pooling: set.pooling, settings: settings, health: data.healthSummaries, timings: timings)
    }

    /// Rows sharing a digest, two or more, each ascending, ordered by first row.
    static func groups(of digests: [ContentDigest]) -> [[Int]] {
        var byDigest = [ContentDigest: [Int]]()
        for (i, d) in digests.enumerated() { byDigest[d, default: []].append(i) }
        return byDigest.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
    }

    /// The digest of each embedded sample's stored bytes (the file, the container's encoded image, or an array
    /// image's pixels), read in parallel.
    static func fileDigests(_ dataset: Dataset, ids: [String]) throws -> [ContentDigest] {
        let position = Dictionary(dataset.samples.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let results: [Result<ContentDigest, Error>] = Parallel.map(ids.count) { i in
            Result {
                guard let p = position[ids[i]] else { throw EvaluationError.missingInput("sample '\(ids[i])' is not in the dataset") }
                switch dataset.samples[p].source {
                case .file(let url):
                    guard let data = FileManager.default.contents(atPath: url.path) else {
                        throw DatasetError.unreadable(path: url.path, reason: "cannot read it to compare its bytes")
                    }
                    return data.withUnsafeBytes { ContentDigest(bytes: $0) }
                case .encoded(let store, let index): return ContentDigest(bytes: try store.bytes(at: index))
                case .array(let array, let index): return ContentDigest(bytes: Array(array.bytes(index)))
                }
            }
        }
        return try results.map { try $0.get() }
    }
}
