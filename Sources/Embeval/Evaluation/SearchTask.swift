import Foundation

/// `embeval search`: for each query, the k rows of an index most similar by cosine — exact, by the streaming kNN
/// search over the index mapped from disk. Queries are images embedded by the model that made the index, texts
/// embedded by a two-tower model's text tower, or rows computed earlier.
public struct SearchTask: Sendable {
    public enum Queries: Sendable {
        /// Image files, embedded by `model` (an image model, or a two-tower model's image tower).
        case images([URL])
        /// Texts, embedded by a two-tower model's text tower (each text as it is, no prompt template).
        case texts([String])
        /// Rows computed earlier (a `.npy`, or a set `embed` wrote); ids from `ids.txt` beside them, else row numbers.
        case embeddings(EmbeddingFiles)
    }

    /// The model that embeds image or text queries.
    public enum QueryModel: Sendable {
        case image(ImageModelSpec)
        case twoTower(TwoTowerSpec)
    }

    public var index: SearchIndex
    public var queries: Queries
    public var model: QueryModel?
    /// Hits per query (at most the index's rows).
    public var k: Int
    /// Whether the image model's poolings were chosen by the user; when not, queries take the index's pooling.
    public var poolingGiven: Bool
    /// The memory the hits may take (half of it; `bytesPerHit` each).
    public var memoryBytes: Int = ProcessMemory.limit

    /// Peak bytes per hit: held in the report and written as JSON, as measured (200 queries at -k 50,000: 1,570),
    /// rounded up.
    public static let bytesPerHit = 1_600

    public init(index: SearchIndex, queries: Queries, model: QueryModel?, k: Int = 10, poolingGiven: Bool = false) throws {
        guard k >= 1 else { throw EvaluationError.invalidParameter(name: "-k", value: String(k), expected: "≥ 1") }
        switch queries {
        case .images(let files):
            guard !files.isEmpty else { throw EvaluationError.missingInput("no query images given") }
            guard model != nil else { throw EvaluationError.missingInput("image queries need -m MODEL: the model that made the index") }
        case .texts(let texts):
            guard !texts.isEmpty else { throw EvaluationError.missingInput("no query texts given") }
            if let blank = texts.firstIndex(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
                throw EvaluationError.invalidParameter(name: "query text \(blank + 1)", value: "''", expected: "a non-empty text")
            }
            guard case .twoTower = model else {
                throw EvaluationError.missingInput("text queries need a two-tower model: -m image-encoder=PATH -m text-encoder=PATH (or a combined CLIP/SigLIP export)")
            }
        case .embeddings:
            break
        }
        self.index = index
        self.queries = queries
        self.model = model
        self.k = k
        self.poolingGiven = poolingGiven
    }

    public func run(_ context: EvaluationContext) throws -> SearchReport {
        let started = Date()
        var timings = Timings()
        let health = try EmbeddingHealth(index.embeddings, seed: context.seed)
        for w in health.warnings { context.warn("index: \(w)") }
        let (queryMatrix, names, kind) = try timings.measure("embedding") { try embedQueries(context) }
        try index.check(queries: queryMatrix, from: kind == "embedding" ? "the query embeddings" : "the query model")
        if let bad = (0..<queryMatrix.rows).first(where: { queryMatrix.row($0).contains { !$0.isFinite } }) {
            throw EmbeddingError.nonFinite(count: 1, ids: [names[bad]], source: "the queries")
        }
        let zero = (0..<queryMatrix.rows).filter { queryMatrix.row($0).allSatisfy { $0 == 0 } }
        if let first = zero.first {
            context.warn("\(zero.count) quer\(zero.count == 1 ? "y is" : "ies are") all zeros (first: '\(names[first])'): every score is 0, so their hits are in no order of similarity")
        }
        let k = min(self.k, index.count)
        if k < self.k { context.warn("-k \(self.k) is more than the index's \(index.count) rows: all are listed") }
        try MetricError.checkNeighbourLists(option: "-k", points: queryMatrix.rows, neighbours: k, bytesPerNeighbour: Self.bytesPerHit,
                                            memoryBytes: memoryBytes)
        let rows = index.embeddings.rows
        let found = timings.measure("search") { NearestNeighbors.cosine(of: queryMatrix, in: rows, k: k) }
        let e = index.embeddings
        let results = (0..<queryMatrix.rows).map { q in
            SearchReport.Result(query: names[q], hits: (0..<k).map { r in
                let row = Int(found.indices[q * k + r])
                return SearchReport.Hit(rank: r + 1, id: e.ids[row], score: Double(found.similarities[q * k + r]),
                                        label: index.isLabelled ? e.classes[e.labels[row]] : nil)
            })
        }
        timings.append("total", Date().timeIntervalSince(started))
        return SearchReport(index: .init(index), queryKind: kind, k: k, results: results, timings: timings)
    }

    /// The queries' embeddings, their names (path, text or id) and what they are (`image`, `text`, `embedding`).
    func embedQueries(_ context: EvaluationContext) throws -> (Matrix, [String], String) {
        switch queries {
        case .embeddings(let files):
            let rows = try files.load()
            return (rows.matrix, rows.ids, "embedding")
        case .texts(let texts):
            guard case .twoTower(let spec) = model else { throw EvaluationError.missingInput("text queries need a two-tower model") }
            let towers = try spec.load(context)
            warnIfOtherModel(towers.image.metadata, pooling: towers.image.poolings.first?.description, context: context)
            return (try towers.text.embed(texts), texts, "text")
        case .images(let files):
            let imageModel: any ImageEmbeddingModel
            switch model {
            case .twoTower(let spec)?:
                imageModel = try spec.load(context).image
            case .image(var spec)?:
                if !poolingGiven, let pooling = index.pooling, let parsed = try? Pooling(parsing: pooling) { spec.poolings = [parsed] }
                guard spec.poolings.count == 1 else {
                    throw EvaluationError.invalidParameter(name: "--pooling", value: spec.poolings.map(\.description).joined(separator: ","), expected: "one pooling, the index's")
                }
                imageModel = try spec.load(context)
            case nil:
                throw EvaluationError.missingInput("image queries need -m MODEL")
            }
            warnIfOtherModel(imageModel.metadata, pooling: imageModel.poolings.first.map(imageModel.setName(of:)), context: context)
            let names = files.map(\.relativePath)
            let dataset = Dataset(name: "queries", split: nil, classes: ["query"],
                                  samples: zip(names, files).map { Sample(id: $0, label: 0, source: .file($1)) })
            var extractor = context.extractor
            extractor.onBadImage = .fail
            let extracted = try extractor.extract(dataset, with: imageModel)
            guard let pooling = imageModel.poolings.first, let rows = extracted.embeddings[pooling] else {
                throw EmbeddingError.incompatibleModel("model '\(imageModel.name)' gave no query embeddings")
            }
            return (rows.matrix, names, "image")
        }
    }

    /// The index's manifest names the model that made it: another model (or pooling) for the queries gets a warning,
    /// since its scores compare two spaces (a quantised copy may be meant; a wrong width is refused later).
    func warnIfOtherModel(_ metadata: JSONValue, pooling: String?, context: EvaluationContext) {
        guard let made = index.record?.model else { return }
        if let stored = made.sha256, case .string(let sha)? = metadata["sha256"], stored != sha {
            context.warn("the index was embedded by '\(made.name)' (sha256 \(stored.prefix(12))…), the queries by another file (sha256 \(sha.prefix(12))…): their scores compare two models' spaces")
        }
        if let pooling, let stored = index.pooling, pooling != stored {
            context.warn("the index holds \(stored) embeddings, the queries are \(pooling)")
        }
    }
}
