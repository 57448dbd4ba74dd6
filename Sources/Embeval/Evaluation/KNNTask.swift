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

    public init(protocol: KNNProtocol? = nil, ks: [Int]? = nil, weighting: VoteWeighting? = nil, temperature: Double = 0.07) throws {
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
        if case .files(_, let train) = source, train != nil { return .trainTest }
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
        if proto == .leaveOneOut, case .files(_, let train) = source, train != nil {
            throw EvaluationError.missingInput("--train-embeddings needs --protocol train-test")
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

        let first = data.sets[0].query
        var poolingText = "precomputed", samplesRequested: Int? = nil, trainSamplesRequested: Int? = nil
        if case .model(let spec, let selection, let train) = source {
            poolingText = spec.poolings.map(\.description).joined(separator: ",")
            samplesRequested = selection.samples
            trainSamplesRequested = train?.samples
        }
        let report = KNNReport(
            protocol: proto, samples: first.count,
            results: zip(data.sets, evaluations).flatMap { set, evaluation in
                evaluation.results.map {
                    KNNReport.Result(pooling: set.pooling, k: $0.k, weighting: $0.weighting,
                                     top1Accuracy: $0.top1Accuracy, top5Accuracy: $0.top5Accuracy)
                }
            },
            modelName: modelName ?? data.model.name, model: data.model.metadata,
            dataset: .init(name: data.dataset.name, split: data.dataset.split, samples: first.count,
                           classes: max(first.classes.count, (first.labels.max() ?? 0) + 1),
                           trainSplit: proto == .trainTest ? data.dataset.trainSplit : nil,
                           trainSamples: proto == .trainTest ? evaluations.first?.referenceCount : nil,
                           skipped: data.skipped),
            parameters: .init(k: ks, weighting: weighting, temperature: settings.temperature, pooling: poolingText,
                              batchSize: context.batchSize, seed: context.seed, samplesRequested: samplesRequested,
                              trainSamplesRequested: trainSamplesRequested),
            health: data.sets.compactMap { set in
                set.health.map { HealthSummary(pooling: set.pooling, dimension: set.query.dimension, health: $0) }
            },
            timings: timings)
        return KNNOutcome(report: report, evaluations: evaluations, embedded: data)
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
}
