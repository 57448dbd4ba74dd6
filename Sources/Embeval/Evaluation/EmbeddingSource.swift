import Foundation

/// Where a task's embeddings come from: a model run over a dataset, or files computed earlier. Both give the same
/// `EmbeddedData`, so every task, comparison and map works on either.
public enum EmbeddingSource: Sendable {
    /// An image model over the selected samples; `train` is the split a train/test protocol embeds too.
    case model(ImageModelSpec, DatasetSelection, train: TrainSplit? = nil)
    /// Precomputed embeddings; `train` holds the train set's for a train/test protocol.
    case files(EmbeddingFiles, train: EmbeddingFiles? = nil)
    /// Embeddings already had from `origin` (with their health measured), so that several protocols share one
    /// forward pass (`ProtocolSuite`).
    indirect case embedded(EmbeddedData, from: EmbeddingSource)

    /// Whether a train set can be had (a train split, or train files).
    public var hasTrain: Bool {
        switch self {
        case .model(_, _, let train): train != nil
        case .files(_, let train): train != nil
        case .embedded(let data, _): data.sets.first?.train != nil
        }
    }

    /// The model or files the embeddings come from (`self` unless already embedded).
    public var origin: EmbeddingSource {
        if case .embedded(_, let origin) = self { return origin.origin }
        return self
    }

    /// Embeds (or loads) the evaluated set and, when `includingTrain`, the train set; each set's health is measured
    /// (NaN/Inf rows are an error naming them) and its warnings, like skipped images, go to the context.
    /// `validate` sees the embeddings before their health is measured, so a task can refuse them first.
    public func embed(includingTrain: Bool = false, context: EvaluationContext,
                      validate: (EmbeddedData) throws -> Void = { _ in }) throws -> EmbeddedData {
        let started = Date()
        var data: EmbeddedData
        switch self {
        case .embedded(let embedded, _):
            guard !includingTrain || embedded.sets.allSatisfy({ $0.train != nil }) else {
                throw EvaluationError.missingInput("no train embeddings were made for this run")
            }
            try validate(embedded)
            return embedded
        case .files(let files, let trainFiles):
            data = try Self.load(files, train: includingTrain ? trainFiles : nil, includingTrain: includingTrain, context: context)
        case .model(let spec, let selection, let trainSplit):
            let model = try spec.load(context)
            let test = try selection.load()
            for w in test.warnings { context.warn(w) }
            var trainSet: Dataset? = nil
            if includingTrain {
                let split = try trainSplit ?? TrainSplit()
                let train = try selection.load(split: split.split, samples: split.samples)
                for w in train.warnings { context.warn("train split: \(w)") }
                guard train.classes == test.classes else {
                    throw EvaluationError.splitClassesDiffer(split: split.split, train: train.classes, test: test.classes)
                }
                trainSet = train
            }
            data = try Self.extract(test, train: trainSet, with: model, context: context)
        }
        try validate(data)
        try data.measureHealth(context: context)
        data.started = started
        return data
    }

    /// Loads precomputed sets (each pooling of a folder `embed` wrote, the shards of one run joined) and their train
    /// sets, paired by pooling; the report's provenance is what the manifests record.
    static func load(_ files: EmbeddingFiles, train trainFiles: EmbeddingFiles?, includingTrain: Bool,
                     context: EvaluationContext) throws -> EmbeddedData {
        var train: LoadedEmbeddings? = nil
        if includingTrain {
            guard let trainFiles else {
                throw EvaluationError.missingInput("--protocol train-test with --embeddings needs --train-embeddings and --train-labels")
            }
            train = try trainFiles.loadSets()
        }
        let query = try files.loadSets()
        for (loaded, what) in [(query, "embeddings"), (train, "train embeddings")] {
            if let shard = loaded?.loneShard, let record = loaded?.record {
                context.warn("the \(what) are shard \(shard) of a run over \(record.dataset.count) samples (rows \(shard.start)..<\(shard.end)): give all \(shard.count) shard folders (or embeval merge them) to evaluate the whole set")
            }
        }
        var sets = [EmbeddedData.PooledSet]()
        for set in query.sets {
            var trainSet: Embeddings? = nil
            if let train {
                guard let match = train.sets.first(where: { $0.name == set.name }) ?? (train.sets.count == 1 && query.sets.count == 1 ? train.sets[0] : nil) else {
                    throw EvaluationError.missingInput("train embeddings hold \(train.sets.map(\.name).joined(separator: ", ")), queries \(query.sets.map(\.name).joined(separator: ", ")): give train sets of the same poolings")
                }
                trainSet = match.embeddings
            }
            var query = set.embeddings
            if let train = trainSet, files.isLabelled, trainFiles?.isLabelled == true { (query, trainSet) = try sharingClasses(query, train) }
            sets.append(.init(pooling: set.name, query: query, train: trainSet))
        }
        var model: [(String, JSONValue)] = [("embeddings", .string(files.paths.map(\.path).joined(separator: ", ")))]
        if case .file(let labels) = files.labels { model.append(("labels", .string(labels.path))) }
        if let record = query.record { model.append(("extraction", try JSONValueEncoder().encode(record))) }
        var data = EmbeddedData(model: ModelInfo(name: "precomputed", metadata: .object(model)),
                                dataset: DatasetInfo(name: files.embeddings.path, split: query.record?.dataset.split,
                                                     trainSplit: train == nil ? nil : "precomputed"),
                                sets: sets, isLabelled: files.isLabelled)
        data.trainFile = trainFiles?.embeddings.path
        data.idsAreRowNumbers = !files.hasIDList
        return data
    }

    /// An evaluated set and its train set, read from separate files, on one class list: the longer list when one
    /// extends the other (labels 0…4 and 0…9), or the names one side's `classes.txt` gives when the other's are its
    /// label numbers "0", "1", … (the same ids); the sorted union of values when both are named by label values
    /// (labels of 2²⁰ and more are ranked per file, so a rank means another class on each side); otherwise refused,
    /// as for a dataset's train split: other names would pair the labels of different classes.
    static func sharingClasses(_ query: Embeddings, _ train: Embeddings) throws -> (query: Embeddings, train: Embeddings) {
        let (q, t) = (query.classes, train.classes)
        func numbered(_ names: [String]) -> Bool { names.enumerated().allSatisfy { $1 == String($0) } }
        if q.starts(with: t) || (numbered(t) && t.count <= q.count) {
            return (query, try Embeddings(rows: train.rows, labels: train.labels, ids: train.ids, classes: q))
        }
        if t.starts(with: q) || (numbered(q) && q.count <= t.count) {
            return (try Embeddings(rows: query.rows, labels: query.labels, ids: query.ids, classes: t), train)
        }
        func values(_ names: [String]) -> [Int]? {
            let numbers = names.compactMap { name in Int(name).flatMap { String($0) == name ? $0 : nil } }
            return numbers.count == names.count ? numbers : nil
        }
        guard let queryValues = values(q), let trainValues = values(t) else {
            throw EvaluationError.setClassesDiffer(train: t, test: q)
        }
        let union = Array(Set(queryValues + trainValues)).sorted()
        let rank = Dictionary(uniqueKeysWithValues: union.enumerated().map { ($1, $0) })
        func remapped(_ e: Embeddings, _ values: [Int]) throws -> Embeddings {
            let id = values.map { rank[$0] ?? 0 }
            return try Embeddings(rows: e.rows, labels: e.labels.map { id[$0] }, ids: e.ids, classes: union.map(String.init))
        }
        return (try remapped(query, queryValues), try remapped(train, trainValues))
    }

    /// Runs `model` over the evaluated set (and the train set): one forward pass per batch for every pooling.
    static func extract(_ test: Dataset, train: Dataset?, with model: any ImageEmbeddingModel,
                        context: EvaluationContext) throws -> EmbeddedData {
        let extractor = context.extractor
        var timings = Timings()
        let extracted = try extractor.extract(test, with: model,
                                              progress: context.progress?.start("embed \(test.split ?? "")", total: test.samples.count))
        timings.append("embedding", extracted.seconds)
        var trainExtracted: ExtractionResult? = nil
        if let train {
            // The evaluated set's rows stay in memory beside the train set's: the train set's check counts them.
            let held = extracted.embeddings.values.reduce(0) { $0 + $1.count * $1.dimension * MemoryLayout<Float>.size }
            trainExtracted = try extractor.extract(train, with: model, held: held,
                                                   progress: context.progress?.start("embed \(train.split ?? "train")", total: train.samples.count))
            timings.append("embedding_train", trainExtracted?.seconds ?? 0)
        }
        let skipped = extracted.skipped + (trainExtracted?.skipped ?? [])
        for s in skipped { context.warn("skipped '\(s.id)': \(s.reason)") }
        let sets = try model.poolings.map { pooling -> EmbeddedData.PooledSet in
            guard let query = extracted.embeddings[pooling] else { throw EmbeddingError.incompatibleModel("model '\(model.name)' gave no embeddings for pooling \(pooling)") }
            return .init(pooling: model.setName(of: pooling), query: query,
                         train: trainExtracted?.embeddings[pooling])
        }
        return EmbeddedData(model: ModelInfo(name: model.name, metadata: model.metadata),
                            dataset: DatasetInfo(name: test.name, split: test.split, trainSplit: train.map { $0.split ?? "train" }),
                            sets: sets, isLabelled: test.isLabelled, skipped: skipped, timings: timings, images: test,
                            inputDigests: extracted.inputDigests)
    }
}

/// Embeddings ready for a metric: per pooling the evaluated set (and the train set of a train/test protocol), with
/// where they came from and what happened on the way.
public struct EmbeddedData: Sendable {
    public struct PooledSet: Sendable {
        /// The pooling's name (`cls`, `mean`, …; `pixels` for the baseline, `precomputed` for files).
        public var pooling: String
        public var query: Embeddings
        public var train: Embeddings?
        /// Measured by `EmbeddingSource.embed`: zero and constant rows, mean cosine, effective rank.
        public var health: EmbeddingHealth?
        public var trainHealth: EmbeddingHealth?

        public init(pooling: String, query: Embeddings, train: Embeddings? = nil) {
            self.pooling = pooling
            self.query = query
            self.train = train
        }
    }

    public var model: ModelInfo
    public var dataset: DatasetInfo
    public var sets: [PooledSet]
    /// False for precomputed embeddings without labels.
    public var isLabelled: Bool
    public var skipped: [SkippedSample] = []
    public var timings = Timings()
    /// The evaluated dataset, when a model embedded one (for thumbnails).
    public var images: Dataset? = nil
    /// Per evaluated row, the digest of the model input it was embedded from (when the context asked for them).
    public var inputDigests: [ContentDigest]? = nil
    /// The precomputed train embeddings' file, for messages.
    public var trainFile: String? = nil
    /// True when the ids are row numbers (no `ids.txt`): rows then pair by position only.
    public var idsAreRowNumbers = false
    /// When embedding began: the start of the run's total time.
    public var started = Date()

    /// The first pooling's evaluated set: what maps show and label-free agreement compares.
    public var primary: Embeddings { sets[0].query }
    public var sampleIDs: [String] { primary.ids }

    /// Where the embeddings came from, for messages: the file, or the model (and pooling) over the dataset.
    func origin(of set: PooledSet, train: Bool = false) -> String {
        if model.name == "precomputed" {
            return train ? "train embeddings '\(trainFile ?? "")'" : "embeddings '\(dataset.name)'"
        }
        return "\(model.name) \(set.pooling) embeddings of '\(dataset.name)'" + (train ? " (train split)" : "")
    }

    /// Measures every set; NaN/Inf rows are an error naming their ids and origin, a collapsed space a warning.
    mutating func measureHealth(context: EvaluationContext) throws {
        func measure(_ embeddings: Embeddings, _ origin: String) throws -> EmbeddingHealth {
            do { return try EmbeddingHealth(embeddings, seed: context.seed) } catch EmbeddingError.nonFinite(let count, let ids, _) {
                throw EmbeddingError.nonFinite(count: count, ids: ids, source: origin)
            }
        }
        for i in sets.indices {
            let health = try measure(sets[i].query, origin(of: sets[i]))
            let label = sets.count > 1 || sets[i].pooling != "precomputed" ? "\(sets[i].pooling): " : ""
            for w in health.warnings { context.warn(label + w) }
            sets[i].health = health
            if let train = sets[i].train {
                let trainHealth = try measure(train, origin(of: sets[i], train: true))
                for w in trainHealth.warnings { context.warn("\(label)train set: \(w)") }
                sets[i].trainHealth = trainHealth
            }
        }
    }

    /// The same rows under other ids (a set without `ids.txt` paired by position with one that has them).
    public func renamed(to ids: [String]) throws -> EmbeddedData {
        var copy = self
        for i in sets.indices {
            let q = sets[i].query
            copy.sets[i].query = try Embeddings(rows: q.rows, labels: q.labels, ids: ids, classes: q.classes)
        }
        copy.idsAreRowNumbers = false
        return copy
    }

    /// The same data with every evaluated set reduced to `ids`, in that order (train sets unchanged).
    public func aligned(to ids: [String]) throws -> EmbeddedData {
        var copy = self
        for i in sets.indices { copy.sets[i].query = try sets[i].query.aligned(to: ids) }
        copy.inputDigests = nil
        return copy
    }
}

/// What reports say about a model: its display name and its provenance (path, sha256, inputs, preprocessing).
public struct ModelInfo: Codable, Sendable {
    public var name: String
    public var metadata: JSONValue
    public init(name: String, metadata: JSONValue) { self.name = name; self.metadata = metadata }
}

/// What reports say about a dataset: its name as given, and the splits used.
public struct DatasetInfo: Codable, Sendable {
    public var name: String
    public var split: String?
    public var trainSplit: String?
    public init(name: String, split: String?, trainSplit: String?) { self.name = name; self.split = split; self.trainSplit = trainSplit }
}
