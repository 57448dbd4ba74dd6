import Foundation

/// The outcome of `embeval retrieval`: recall@k (and mAP@R for image → image) per direction and pooling.
public struct RetrievalReport: Report {
    public struct Result: Codable, Sendable {
        public var pooling: String
        /// `image-to-image`, `image-to-text` or `text-to-image`.
        public var direction: String
        /// The queries scored (captions for text → image).
        public var queries: Int
        /// Percent, by k, in the order asked.
        public var recallAtK: [(k: Int, recall: Double)]
        /// Percent; image → image only.
        public var mapAtR: Double?

        init(pooling: String, direction: String, queries: Int, recallAtK: [(Int, Double)], mapAtR: Double?) {
            self.pooling = pooling
            self.direction = direction
            self.queries = queries
            self.recallAtK = recallAtK.map { (k: $0.0, recall: $0.1) }
            self.mapAtR = mapAtR
        }

        enum CodingKeys: String, CodingKey { case pooling, direction, queries, recallAtK = "recall_at_k", mapAtR = "map_at_r" }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(pooling, forKey: .pooling)
            try c.encode(direction, forKey: .direction)
            try c.encode(queries, forKey: .queries)
            var recall = c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .recallAtK)
            for (k, value) in recallAtK { try recall.encode(value, forKey: AnyCodingKey(String(k))) }
            try c.encodeIfPresent(mapAtR, forKey: .mapAtR)
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            pooling = try c.decode(String.self, forKey: .pooling)
            direction = try c.decode(String.self, forKey: .direction)
            queries = try c.decode(Int.self, forKey: .queries)
            let recall = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .recallAtK)
            recallAtK = try recall.allKeys.compactMap { key in Int(key.stringValue).map { ($0, key) } }
                .sorted { $0.0 < $1.0 }.map { (k: $0.0, recall: try recall.decode(Double.self, forKey: $0.1)) }
            mapAtR = try c.decodeIfPresent(Double.self, forKey: .mapAtR)
        }
    }

    public struct Parameters: Codable, Sendable {
        public var recallK: [Int]
        public var pooling: String
        public var batchSize: Int
        public var seed: UInt64
        public var samplesRequested: Int?
        public var textOutput: String?
        enum CodingKeys: String, CodingKey {
            case recallK = "recall_k", pooling, batchSize = "batch_size", seed, samplesRequested = "samples_requested"
            case textOutput = "text_output"
        }
    }

    public var task = "retrieval"
    public var samples: Int
    /// Image ↔ text: the captions embedded.
    public var captions: Int?
    public var results: [Result]
    public var modelName: String
    public var model: JSONValue
    public var dataset: EvaluatedDataset
    public var parameters: Parameters
    public var health: [HealthSummary]
    public var timings: Timings
    public var versions = Versions()

    enum CodingKeys: String, CodingKey {
        case task, samples, captions, results, modelName = "model_name", model, dataset, parameters, health, timings, versions
    }

    /// The table a person reads.
    public func text() -> String {
        var fields: [(String, String)] = [("Task", captions == nil ? "retrieval (image → image, same class relevant)" : "retrieval (image ↔ text)"),
                                          ("Model", modelName), ("Dataset", dataset.name)]
        if let split = dataset.split { fields.append(("Split", split)) }
        fields.append(("Images", String(samples)))
        if let captions { fields.append(("Captions", String(captions))) } else { fields.append(("Classes", String(dataset.classes))) }
        if !dataset.skipped.isEmpty { fields.append(("Skipped", "\(dataset.skipped.count) unreadable image(s)")) }
        let ks = parameters.recallK
        let hasMAP = results.contains { $0.mapAtR != nil }
        let rows = results.map { r in
            [r.pooling, r.direction, String(r.queries)] + ks.map { k in
                r.recallAtK.first { $0.k == k }.map { String(format: "%.2f", $0.recall) } ?? ""
            } + (hasMAP ? [r.mapAtR.map { String(format: "%.2f", $0) } ?? ""] : [])
        }
        let header = ["Pooling", "Direction", "Queries"] + ks.map { "R@\($0) (%)" } + (hasMAP ? ["mAP@R (%)"] : [])
        let table = TerminalTable.table(header: header, rows: rows,
                                        alignments: [.left, .left] + [TerminalTable.Alignment](repeating: .right, count: header.count - 2))
        return [TerminalTable.title("Evaluation: \(modelName)"), "", TerminalTable.fields(fields), "", table, "",
                "Embedding health: " + health.map(\.line).joined(separator: "\n                  "),
                "Time: " + timings.text]
            .joined(separator: "\n")
    }
}
