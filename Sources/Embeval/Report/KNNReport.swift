import Foundation

/// The outcome of `embeval knn`: what was evaluated, each pooling's results and health, and the time it took.
public struct KNNReport: Sendable {
    public struct Entry: Sendable {
        public var pooling: String
        public var evaluation: KNNEvaluation
        public var health: EmbeddingHealth
        public var dimension: Int
        public init(pooling: String, evaluation: KNNEvaluation, health: EmbeddingHealth, dimension: Int) {
            self.pooling = pooling; self.evaluation = evaluation; self.health = health; self.dimension = dimension
        }
    }

    public var modelName: String
    public var model: JSONValue
    public var datasetName: String
    public var split: String?
    public var trainSplit: String?
    public var classes: Int
    public var entries: [Entry]
    public var skipped: [(id: String, reason: String)]
    public var parameters: [(String, JSONValue)]
    public var timings: [(String, Double)]

    public init(modelName: String, model: JSONValue, datasetName: String, split: String?, trainSplit: String?,
                classes: Int, entries: [Entry], skipped: [(id: String, reason: String)],
                parameters: [(String, JSONValue)], timings: [(String, Double)]) {
        self.modelName = modelName; self.model = model; self.datasetName = datasetName; self.split = split
        self.trainSplit = trainSplit; self.classes = classes; self.entries = entries; self.skipped = skipped
        self.parameters = parameters; self.timings = timings
    }

    var proto: KNNProtocol { entries.first?.evaluation.protocol ?? .leaveOneOut }
    var samples: Int { entries.first?.evaluation.queryCount ?? 0 }

    /// The table a person reads.
    public func text() -> String {
        var fields: [(String, String)] = [("Task", "knn (image-feature-extraction)"), ("Model", modelName),
                                          ("Dataset", datasetName)]
        if let split { fields.append(("Split", split)) }
        fields.append(("Protocol", proto == .leaveOneOut ? "loo (leave-one-out)" : "train-test"))
        if proto == .trainTest, let first = entries.first {
            fields.append(("Train", "\(trainSplit ?? "precomputed") (\(first.evaluation.referenceCount) samples)"))
        }
        fields.append(("Samples", String(samples)))
        fields.append(("Classes", String(classes)))
        if !skipped.isEmpty { fields.append(("Skipped", "\(skipped.count) unreadable image(s)")) }

        let rows = entries.flatMap { entry in
            entry.evaluation.results.map { r in
                [entry.pooling, String(r.k), r.weighting.rawValue,
                 String(format: "%.2f", r.top1Accuracy), String(format: "%.2f", r.top5Accuracy)]
            }
        }
        let table = TerminalTable.table(header: ["Pooling", "k", "Weighting", "Top-1 (%)", "Top-5 (%)"], rows: rows,
                                        alignments: [.left, .right, .left, .right, .right])
        let health = entries.map { e in
            String(format: "%@: d=%d, zero rows %d, constant rows %d, mean cosine %.3f, effective rank %.1f",
                   e.pooling, e.dimension, e.health.zeroRows, e.health.constantRows,
                   e.health.meanPairwiseCosine, e.health.effectiveRank)
        }
        let time = timings.map { String(format: "%@ %.2fs", $0.0, $0.1) }.joined(separator: ", ")
        return [TerminalTable.title("Evaluation: \(modelName)"), "", TerminalTable.fields(fields), "", table, "",
                "Embedding health: " + health.joined(separator: "\n                  "), "Time: " + time]
            .joined(separator: "\n")
    }

    /// Everything needed to reproduce and compare the run.
    public func json() -> JSONValue {
        let results: [JSONValue] = entries.flatMap { entry in
            entry.evaluation.results.map { r in
                JSONValue.object([("pooling", .string(entry.pooling)), ("k", .int(r.k)),
                                  ("weighting", .string(r.weighting.rawValue)),
                                  ("top1_accuracy", .number(r.top1Accuracy)), ("top5_accuracy", .number(r.top5Accuracy))])
            }
        }
        let health: [JSONValue] = entries.map { e in
            .object([("pooling", .string(e.pooling)), ("dimension", .int(e.dimension)),
                      ("zero_rows", .int(e.health.zeroRows)), ("constant_rows", .int(e.health.constantRows)),
                      ("mean_pairwise_cosine", .number(e.health.meanPairwiseCosine)),
                      ("effective_rank", .number(e.health.effectiveRank)),
                      ("warnings", .array(e.health.warnings.map { .string($0) }))])
        }
        var dataset: [(String, JSONValue)] = [("name", .string(datasetName)), ("split", split.map { .string($0) } ?? .null),
                                              ("samples", .int(samples)), ("classes", .int(classes))]
        if proto == .trainTest {
            dataset.append(("train_split", trainSplit.map { .string($0) } ?? .null))
            dataset.append(("train_samples", .int(entries.first?.evaluation.referenceCount ?? 0)))
        }
        dataset.append(("skipped", .array(skipped.map { .object([("id", .string($0.id)), ("reason", .string($0.reason))]) })))
        return .object([
            ("task", "knn"), ("protocol", .string(proto.rawValue)), ("samples", .int(samples)),
            ("results", .array(results)), ("model", model), ("dataset", .object(dataset)),
            ("parameters", .object(parameters)), ("health", .array(health)),
            ("timings", .object(timings.map { ($0.0, .number(($0.1 * 1000).rounded() / 1000)) })),
            ("versions", .object([("embeval", .string(EmbevalInfo.version))])),
        ])
    }
}

/// The library's version, recorded in every JSON report.
public enum EmbevalInfo {
    public static let version = "0.1.0"
}
