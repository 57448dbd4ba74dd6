import Foundation

/// The outcome of `embeval knn`: what was evaluated, each pooling's results and health, and the time it took.
public struct KNNReport: Report {
    public struct Result: Codable, Sendable {
        public var pooling: String
        public var k: Int
        public var weighting: VoteWeighting
        public var top1Accuracy: Double
        public var top5Accuracy: Double
        /// Few-shot only (`--shots`): references per class, draws, and the standard deviation (ddof 0) of each
        /// figure over the draws (the figures are then means).
        public var shots: Int?
        public var tries: Int?
        public var std: Spread?
        enum CodingKeys: String, CodingKey {
            case pooling, shots, tries, k, weighting, top1Accuracy = "top1_accuracy", top5Accuracy = "top5_accuracy", std
        }

        public init(pooling: String, k: Int, weighting: VoteWeighting, top1Accuracy: Double, top5Accuracy: Double,
                    shots: Int? = nil, tries: Int? = nil, std: Spread? = nil) {
            self.pooling = pooling
            self.k = k
            self.weighting = weighting
            self.top1Accuracy = top1Accuracy
            self.top5Accuracy = top5Accuracy
            self.shots = shots
            self.tries = tries
            self.std = std
        }

        /// The few-shot keys only on few-shot results.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(pooling, forKey: .pooling)
            if let shots { try c.encode(shots, forKey: .shots) }
            if let tries { try c.encode(tries, forKey: .tries) }
            try c.encode(k, forKey: .k)
            try c.encode(weighting, forKey: .weighting)
            try c.encode(top1Accuracy, forKey: .top1Accuracy)
            try c.encode(top5Accuracy, forKey: .top5Accuracy)
            if let std { try c.encode(std, forKey: .std) }
        }
    }

    public struct Spread: Codable, Sendable {
        public var top1Accuracy: Double
        public var top5Accuracy: Double
        enum CodingKeys: String, CodingKey { case top1Accuracy = "top1_accuracy", top5Accuracy = "top5_accuracy" }
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
        /// Few-shot only: the references per class of each experiment and the draws per count.
        public var shots: [Int]?
        public var tries: Int?
        enum CodingKeys: String, CodingKey {
            case k, weighting, temperature, pooling, batchSize = "batch_size", seed
            case samplesRequested = "samples_requested", trainSamplesRequested = "train_samples_requested", shots, tries
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
        if let tries = parameters.tries { fields.append(("Tries", "\(tries) seeded draws of the references per shot count (mean ± std)")) }
        if !dataset.skipped.isEmpty { fields.append(("Skipped", "\(dataset.skipped.count) unreadable image(s)")) }

        let fewShot = parameters.shots != nil
        let rows = results.map { r -> [String] in
            let figure = { (value: Double, spread: Double?) in
                spread.map { String(format: "%.2f ± %.2f", value, $0) } ?? String(format: "%.2f", value)
            }
            return [r.pooling] + (fewShot ? [r.shots.map(String.init) ?? ""] : []) + [String(r.k), r.weighting.rawValue,
                    figure(r.top1Accuracy, r.std?.top1Accuracy), figure(r.top5Accuracy, r.std?.top5Accuracy)]
        }
        let table = TerminalTable.table(header: ["Pooling"] + (fewShot ? ["Shots"] : []) + ["k", "Weighting", "Top-1 (%)", "Top-5 (%)"],
                                        rows: rows, alignments: [.left] + (fewShot ? [.right] : []) + [.right, .left, .right, .right])
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
