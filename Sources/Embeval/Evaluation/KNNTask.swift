import Foundation

/// The kNN protocol, its neighbour counts and vote weighting, checked once for every command that runs one.
public struct KNNSettings: Sendable {
    /// Nil: train-test when precomputed train embeddings are given, else leave-one-out.
    public var `protocol`: KNNProtocol?
    /// Nil: the protocol's default (10 for loo, 20 for train-test). Duplicates are dropped, order kept.
    public var ks: [Int]?
    /// Nil: the protocol's default (similarity for loo, exp for train-test).
    public var weighting: VoteWeighting?
    /// T in exp(similarity / T).
    public var temperature: Double
    /// Few-shot (train-test only): references per class, each a separate experiment, drawn `tries` times by
    /// `FewShotSampler`; nil votes with every train sample.
    public var shots: [Int]?
    public var tries: Int

    public init(protocol: KNNProtocol? = nil, ks: [Int]? = nil, weighting: VoteWeighting? = nil, temperature: Double = 0.07,
                shots: [Int]? = nil, tries: Int = 5) throws {
        if shots != nil, `protocol` == .leaveOneOut {
            throw EvaluationError.invalidParameter(name: "--shots", value: "with --protocol loo",
                                                   expected: "the train-test protocol (few-shot draws references from train)")
        }
        self.shots = try FewShotSampler.checked(shots: shots, tries: tries)
        self.tries = tries
        if let ks {
            guard !ks.isEmpty, ks.allSatisfy({ $0 >= 1 }) else {
                throw EvaluationError.invalidParameter(name: "--k", value: "\(ks)", expected: "positive integers")
            }
        }
        guard temperature.isFinite, temperature > 0 else {
            throw EvaluationError.invalidParameter(name: "--temperature", value: "\(temperature)", expected: "> 0")
        }
        self.protocol = `protocol`
        var seen = Set<Int>()
        self.ks = ks?.filter { seen.insert($0).inserted }
        self.weighting = weighting
        self.temperature = temperature
    }

    func resolvedProtocol(for source: EmbeddingSource) -> KNNProtocol {
        if let p = self.protocol { return p }
        if shots != nil { return .trainTest }
        if case .files(_, let train) = source.origin, train != nil { return .trainTest }
        return .leaveOneOut
    }
}

/// Weighted kNN accuracy of a backbone's embeddings (leave-one-out or train/test), for every pooling and k.
public struct KNNTask: EvaluationTask {
    public var source: EmbeddingSource
    public var settings: KNNSettings
    /// The name reports give the model (the seed CLI's `--model-id`); nil for the model's own.
    public var modelName: String?
    /// Neighbours found by query shards (`searchShard`) to vote with instead of searching: their folders, or
    /// folders holding them. They must be every shard of this very search.
    public var neighbourShards: [URL]?

    public init(source: EmbeddingSource, settings: KNNSettings, modelName: String? = nil, neighbourShards: [URL]? = nil) {
        self.source = source
        self.settings = settings
        self.modelName = modelName
        self.neighbourShards = neighbourShards
    }

    public struct Prepared: PreparedEvaluation {
        public var embedded: EmbeddedData
        public var `protocol`: KNNProtocol
    }

    public func prepare(_ context: EvaluationContext) throws -> Prepared {
        let proto = settings.resolvedProtocol(for: source)
        if proto == .leaveOneOut, case .files(_, let train) = source.origin, train != nil {
            throw EvaluationError.missingInput("--train-embeddings needs --protocol train-test")
        }
        if settings.shots != nil, neighbourShards != nil {
            throw EvaluationError.missingInput("--shots draws its own references: it cannot vote with --merge-neighbours")
        }
        if settings.shots != nil, !source.hasTrain {
            throw EvaluationError.missingInput("few-shot kNN draws its references from a train set: give --train-split (with a model and dataset) or --train-embeddings and --train-labels")
        }
        let embedded = try source.embed(includingTrain: proto == .trainTest, context: context)
        guard embedded.isLabelled else {
            throw EvaluationError.missingInput("kNN accuracy needs labels: give --labels, or --dataset for the samples the embeddings are")
        }
        return Prepared(embedded: embedded, protocol: proto)
    }

    public func evaluate(_ prepared: Prepared, context: EvaluationContext) throws -> KNNOutcome {
        let data = prepared.embedded, proto = prepared.protocol
        let ks = settings.ks ?? [proto.defaultK]
        let weighting = settings.weighting ?? proto.defaultWeighting
        var timings = data.timings
        let joined = try neighbourShards.map { try NeighbourShards.read($0, expected: try searchRecord(of: prepared, shard: Shard(index: 0, count: 1), queries: nil)) }
        if let shots = settings.shots {
            let results = try timings.measure("knn") {
                try data.sets.flatMap { set in try fewShot(shots, set: set, data: data, ks: ks, weighting: weighting, context: context) }
            }
            timings.append("total", Date().timeIntervalSince(data.started))
            let report = makeReport(data: data, protocol: proto, ks: ks, weighting: weighting, results: results,
                                    trainSamples: data.sets[0].train?.count, context: context, timings: timings)
            return KNNOutcome(report: report, evaluations: [], embedded: data)
        }
        let evaluations = try timings.measure("knn") {
            try data.sets.enumerated().map { index, set in
                let evaluation: KNNEvaluation
                do {
                    evaluation = try KNNEvaluation(set.query, train: proto == .trainTest ? set.train : nil, ks: ks,
                                                   weighting: weighting, temperature: settings.temperature,
                                                   neighbours: joined?[index])
                } catch let error as MetricError {
                    let name = data.origin(of: set) + (proto == .trainTest ? " against \(data.origin(of: set, train: true))" : "")
                    throw EvaluationError.side(name: name, reason: error.description)
                }
                for w in evaluation.warnings { context.warn(w) }
                return evaluation
            }
        }
        timings.append("total", Date().timeIntervalSince(data.started))
        let results = zip(data.sets, evaluations).flatMap { set, evaluation in
            evaluation.results.map {
                KNNReport.Result(pooling: set.pooling, k: $0.k, weighting: $0.weighting,
                                 top1Accuracy: $0.top1Accuracy, top5Accuracy: $0.top5Accuracy)
            }
        }
        let report = makeReport(data: data, protocol: proto, ks: ks, weighting: weighting, results: results,
                                trainSamples: evaluations.first?.referenceCount, context: context, timings: timings)
        return KNNOutcome(report: report, evaluations: evaluations, embedded: data)
    }

    /// The vote with n references per class drawn from train, `tries` draws each: mean and spread of the figures.
    /// The queries are never drawn from, so nothing of the evaluated split reaches the references.
    private func fewShot(_ shots: [Int], set: EmbeddedData.PooledSet, data: EmbeddedData, ks: [Int], weighting: VoteWeighting,
                         context: EvaluationContext) throws -> [KNNReport.Result] {
        guard let train = set.train else { throw EvaluationError.missingInput("no train embeddings for \(set.pooling)") }
        let name = data.origin(of: set) + " against \(data.origin(of: set, train: true))"
        return try onSet(name) {
            let sampler = try FewShotSampler(shots: shots, tries: settings.tries, seed: context.seed)
            try sampler.validate(train.labels, classes: train.classes)
            return try sampler.shots.flatMap { n in
                let runs = try (0..<sampler.tries).map { attempt in
                    let rows = sampler.draw(train.labels, n: n, attempt: attempt)
                    let references = try Embeddings(matrix: train.rows.selectingRows(rows), labels: rows.map { train.labels[$0] },
                                                    ids: rows.map { train.ids[$0] }, classes: train.classes)
                    let evaluation = try KNNEvaluation(set.query, train: references, ks: ks, weighting: weighting,
                                                       temperature: settings.temperature)
                    if attempt == 0 { for w in evaluation.warnings { context.warn("\(set.pooling), \(n) shot(s): \(w)") } }
                    return evaluation.results
                }
                return ks.indices.map { i in
                    let top1 = MeanAndSpread(runs.map { $0[i].top1Accuracy }), top5 = MeanAndSpread(runs.map { $0[i].top5Accuracy })
                    return KNNReport.Result(pooling: set.pooling, k: ks[i], weighting: weighting, top1Accuracy: top1.mean,
                                            top5Accuracy: top5.mean, shots: n, tries: sampler.tries,
                                            std: .init(top1Accuracy: top1.std, top5Accuracy: top5.std))
                }
            }
        }
    }

    private func makeReport(data: EmbeddedData, protocol proto: KNNProtocol, ks: [Int], weighting: VoteWeighting,
                            results: [KNNReport.Result], trainSamples: Int?, context: EvaluationContext,
                            timings: Timings) -> KNNReport {
        let first = data.sets[0].query
        var poolingText = "precomputed", samplesRequested: Int? = nil, trainSamplesRequested: Int? = nil
        if case .model(let spec, let selection, let train) = source.origin {
            poolingText = spec.poolings.map(\.description).joined(separator: ",")
            samplesRequested = selection.samples
            trainSamplesRequested = train?.samples
        }
        return KNNReport(
            protocol: proto, samples: first.count, results: results,
            modelName: modelName ?? data.model.name, model: data.model.metadata,
            dataset: .init(name: data.dataset.name, split: data.dataset.split, samples: first.count,
                           classes: max(first.classes.count, (first.labels.max() ?? 0) + 1),
                           trainSplit: proto == .trainTest ? data.dataset.trainSplit : nil,
                           trainSamples: proto == .trainTest ? trainSamples : nil,
                           skipped: data.skipped),
            parameters: .init(k: ks, weighting: weighting, temperature: settings.temperature, pooling: poolingText,
                              batchSize: context.batchSize, seed: context.seed, samplesRequested: samplesRequested,
                              trainSamplesRequested: trainSamplesRequested, shots: settings.shots, tries: settings.shots == nil ? nil : settings.tries),
            health: data.sets.compactMap { set in
                set.health.map { HealthSummary(pooling: set.pooling, dimension: set.query.dimension, health: $0) }
            },
            timings: timings)
    }
}

/// A kNN evaluation's report, and the per-query predictions behind it.
public struct KNNOutcome: EvaluationOutcome {
    public var report: KNNReport
    /// One per embedding set (pooling), in `embedded.sets` order.
    public var evaluations: [KNNEvaluation]
    public var embedded: EmbeddedData

    public var summary: String { "knn (\(report.protocol.rawValue))" }

    public var scores: [Score] {
        zip(embedded.sets, evaluations).enumerated().flatMap { index, pair in
            let (set, evaluation) = pair
            return evaluation.results.flatMap { r in [
                Score(metric: .top1Accuracy, k: r.k, set: index, pooling: set.pooling, value: r.top1Accuracy,
                      correct: zip(r.predictions, set.query.labels).map { $0 == $1 }),
                Score(metric: .top5Accuracy, k: r.k, set: index, pooling: set.pooling, value: r.top5Accuracy,
                      correct: r.top5Hits),
            ] }
        }
    }
}

/// Neighbour counts as typed: `10,20,100` — positive integers, duplicates dropped, order kept.
public struct NeighbourCounts: Equatable, Sendable {
    public var values: [Int]

    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw EvaluationError.missingInput("expected positive integers separated by commas, e.g. 10,20,100")
        }
        var seen = Set<Int>()
        values = parts.compactMap { $0 }.filter { seen.insert($0).inserted }
    }

    /// Retrieval's usual cut-offs, 1, 5 and 10.
    public static let recallDefaults = NeighbourCounts(checked: [1, 5, 10])

    private init(checked values: [Int]) { self.values = values }
}
