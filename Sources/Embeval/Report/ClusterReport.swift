import Foundation

/// The outcome of `embeval cluster`: per pooling, how well k-means clusters recover the classes.
public struct ClusterReport: Report {
    public struct Result: Codable, Sendable {
        public var pooling: String
        public var clusters: Int
        /// In [0, 1], as scikit-learn gives them.
        public var nmi: Double
        public var ari: Double
        public var vMeasure: Double
        /// Percent of samples whose cluster is matched to their class (Hungarian matching).
        public var clusterAccuracy: Double
        public var homogeneity: Double
        public var completeness: Double
        /// Sum of squared distances to the centres.
        public var inertia: Double
        enum CodingKeys: String, CodingKey {
            case pooling, clusters, nmi, ari, vMeasure = "v_measure", clusterAccuracy = "cluster_accuracy"
            case homogeneity, completeness, inertia
        }
    }

    public struct Parameters: Codable, Sendable {
        /// The k given (nil: the number of classes).
        public var clusters: Int?
        /// `kmeans` or `minibatch-kmeans`.
        public var algorithm: String
        public var nInit: Int
        public var batchSize: Int?
        public var maxIterations: Int?
        public var normalize: Bool
        public var pooling: String
        public var seed: UInt64
        public var samplesRequested: Int?
        enum CodingKeys: String, CodingKey {
            case clusters, algorithm, nInit = "n_init", batchSize = "batch_size", maxIterations = "max_iter", normalize
            case pooling, seed, samplesRequested = "samples_requested"
        }
    }

    public var task = "cluster"
    public var samples: Int
    public var results: [Result]
    public var modelName: String
    public var model: JSONValue
    public var dataset: EvaluatedDataset
    public var parameters: Parameters
    public var health: [HealthSummary]
    public var timings: Timings
    public var versions = Versions()

    enum CodingKeys: String, CodingKey {
        case task, samples, results, modelName = "model_name", model, dataset, parameters, health, timings, versions
    }

    /// The table a person reads.
    public func text() -> String {
        var fields: [(String, String)] = [("Task", "clustering (\(parameters.algorithm))"), ("Model", modelName), ("Dataset", dataset.name)]
        if let split = dataset.split { fields.append(("Split", split)) }
        fields.append(("Samples", String(samples)))
        fields.append(("Classes", String(dataset.classes)))
        fields.append(("Runs", parameters.algorithm == "kmeans" ? "best of \(parameters.nInit) k-means++ starts by inertia (seed \(parameters.seed))"
                                                                 : "one k-means++ start, batches of \(parameters.batchSize ?? 0) (seed \(parameters.seed))"))
        if !dataset.skipped.isEmpty { fields.append(("Skipped", "\(dataset.skipped.count) unreadable image(s)")) }
        let rows = results.map { r in
            [r.pooling, String(r.clusters), String(format: "%.4f", r.nmi), String(format: "%.4f", r.ari),
             String(format: "%.4f", r.vMeasure), String(format: "%.2f", r.clusterAccuracy)]
        }
        let table = TerminalTable.table(header: ["Pooling", "k", "NMI", "ARI", "V-measure", "Cluster acc. (%)"], rows: rows,
                                        alignments: [.left, .right, .right, .right, .right, .right])
        return [TerminalTable.title("Evaluation: \(modelName)"), "", TerminalTable.fields(fields), "", table, "",
                "Embedding health: " + health.map(\.line).joined(separator: "\n                  "),
                "Time: " + timings.text]
            .joined(separator: "\n")
    }
}
