import Foundation

/// The outcome of `embeval knn`: what was evaluated, each pooling's results and health, and the time it took.
public struct KNNReport: Report {
    public struct Result: Codable, Sendable {
        public var pooling: String
        public var k: Int
        public var weighting: VoteWeighting
        public var top1Accuracy: Double
        public var top5Accuracy: Double
        enum CodingKeys: String, CodingKey {
            case pooling, k, weighting, top1Accuracy = "top1_accuracy", top5Accuracy = "top5_accuracy"
        }
    }

    /// The evaluated dataset (shared by every protocol's report).
    public typealias DatasetSummary = EvaluatedDataset

    public struct Parameters: Codable, Sendable {
        public var k: [Int]
        public var weighting: VoteWeighting
        public var temperature: Double
        public var pooling: String
        public var batchSize: Int
        public var seed: UInt64
        public var samplesRequested: Int?
        public var trainSamplesRequested: Int?
        enum CodingKeys: String, CodingKey {
            case k, weighting, temperature, pooling, batchSize = "batch_size", seed
            case samplesRequested = "samples_requested", trainSamplesRequested = "train_samples_requested"
        }
    }

    public var task = "knn"
    public var `protocol`: KNNProtocol
    public var samples: Int
    public var results: [Result]
    public var modelName: String
    public var model: JSONValue
    public var dataset: DatasetSummary
    public var parameters: Parameters
    public var health: [HealthSummary]
    public var timings: Timings
    public var versions = Versions()

    enum CodingKeys: String, CodingKey {
        case task, `protocol`, samples, results, modelName = "model_name", model, dataset, parameters, health, timings, versions
    }

    /// The table a person reads.
    public func text() -> String {
        var fields: [(String, String)] = [("Task", "knn (image-feature-extraction)"), ("Model", modelName),
                                          ("Dataset", dataset.name)]
        if let split = dataset.split { fields.append(("Split", split)) }
        fields.append(("Protocol", self.protocol == .leaveOneOut ? "loo (leave-one-out)" : "train-test"))
        if self.protocol == .trainTest, let trainSamples = dataset.trainSamples {
            fields.append(("Train", "\(dataset.trainSplit ?? "precomputed") (\(trainSamples) samples)"))
        }
        fields.append(("Samples", String(samples)))
        fields.append(("Classes", String(dataset.classes)))
        if !dataset.skipped.isEmpty { fields.append(("Skipped", "\(dataset.skipped.count) unreadable image(s)")) }

        let rows = results.map { r in
            [r.pooling, String(r.k), r.weighting.rawValue, String(format: "%.2f", r.top1Accuracy), String(format: "%.2f", r.top5Accuracy)]
        }
        let table = TerminalTable.table(header: ["Pooling", "k", "Weighting", "Top-1 (%)", "Top-5 (%)"], rows: rows,
                                        alignments: [.left, .right, .left, .right, .right])
        return [TerminalTable.title("Evaluation: \(modelName)"), "", TerminalTable.fields(fields), "", table, "",
                "Embedding health: " + health.map(\.line).joined(separator: "\n                  "),
                "Time: " + timings.text]
            .joined(separator: "\n")
    }
}

/// An embedding set's health as reports show it.
public struct HealthSummary: Codable, Sendable {
    public var pooling: String
    public var dimension: Int
    public var zeroRows: Int
    public var constantRows: Int
    public var meanPairwiseCosine: Double
    public var effectiveRank: Double
    public var warnings: [String]
    enum CodingKeys: String, CodingKey {
        case pooling, dimension, zeroRows = "zero_rows", constantRows = "constant_rows"
        case meanPairwiseCosine = "mean_pairwise_cosine", effectiveRank = "effective_rank", warnings
    }

    public init(pooling: String, dimension: Int, health: EmbeddingHealth) {
        self.pooling = pooling
        self.dimension = dimension
        zeroRows = health.zeroRows
        constantRows = health.constantRows
        meanPairwiseCosine = health.meanPairwiseCosine
        effectiveRank = health.effectiveRank
        warnings = health.warnings
    }

    /// `cls: d=96, zero rows 0, constant rows 0, mean cosine 0.014, effective rank 39.3`.
    public var line: String {
        String(format: "%@: d=%d, zero rows %d, constant rows %d, mean cosine %.3f, effective rank %.1f",
               pooling, dimension, zeroRows, constantRows, meanPairwiseCosine, effectiveRank)
    }
}
