import Foundation

/// The outcome of `embeval eval --protocols …`: one row per figure of every protocol run (what a model card lists),
/// with each protocol's full report under `reports`.
public struct ModelCardReport: Report {
    /// One figure: the protocol, the embedding set, the setting it was measured at, and its value.
    public struct Row: Codable, Sendable, Equatable {
        public var `protocol`: String
        public var pooling: String
        /// `k=20 exp (train-test)`, `C=17.78`, `k-means, 10 clusters`, `image-to-image`, `8 templates`.
        public var setting: String
        public var metric: String
        public var value: Double
        /// `percent` or `fraction` (NMI, ARI, V-measure).
        public var unit: String
    }

    /// Each protocol's own report, as its command writes it.
    public struct Reports: Codable, Sendable {
        public var knn: KNNReport?
        public var linear: LinearReport?
        public var cluster: ClusterReport?
        public var retrieval: RetrievalReport?
        public var textRetrieval: RetrievalReport?
        public var zeroshot: ZeroShotReport?
        enum CodingKeys: String, CodingKey { case knn, linear, cluster, retrieval, textRetrieval = "text_retrieval", zeroshot }
    }

    public var task = "model-card"
    public var protocols: [EvaluationProtocol]
    public var modelName: String
    public var model: JSONValue
    /// The image side's dataset (nil when only zero-shot ran: see its report).
    public var dataset: EvaluatedDataset?
    public var results: [Row]
    public var reports: Reports
    public var timings: Timings
    public var versions = Versions()

    enum CodingKeys: String, CodingKey {
        case task, protocols, modelName = "model_name", model, dataset, results, reports, timings, versions
    }

    public init(protocols: [EvaluationProtocol], modelName: String, model: JSONValue, dataset: EvaluatedDataset?,
                reports: Reports, timings: Timings) {
        self.protocols = protocols
        self.modelName = modelName
        self.model = model
        self.dataset = dataset
        self.reports = reports
        self.timings = timings
        self.results = Self.rows(reports, order: protocols)
    }

    /// Every figure of the reports, protocol by protocol in the order asked.
    static func rows(_ r: Reports, order: [EvaluationProtocol]) -> [Row] {
        order.flatMap { p -> [Row] in
            switch p {
            case .knn:
                guard let knn = r.knn else { return [] }
                return knn.results.flatMap { x -> [Row] in
                    let setting = "k=\(x.k) \(x.weighting.rawValue) (\(knn.protocol.rawValue))"
                    return [Row(protocol: "knn", pooling: x.pooling, setting: setting, metric: "top1_accuracy", value: x.top1Accuracy, unit: "percent"),
                            Row(protocol: "knn", pooling: x.pooling, setting: setting, metric: "top5_accuracy", value: x.top5Accuracy, unit: "percent")]
                }
            case .linear:
                return (r.linear?.results ?? []).flatMap { x -> [Row] in
                    let setting = String(format: "C=%g", x.C)
                    return [("top1_accuracy", x.top1Accuracy), ("top5_accuracy", x.top5Accuracy), ("mean_per_class_recall", x.meanPerClassRecall)]
                        .map { Row(protocol: "linear", pooling: x.pooling, setting: setting, metric: $0.0, value: $0.1, unit: "percent") }
                }
            case .cluster:
                guard let cluster = r.cluster else { return [] }
                return cluster.results.flatMap { x -> [Row] in
                    let setting = "\(cluster.parameters.algorithm), \(x.clusters) clusters"
                    return [("nmi", x.nmi, "fraction"), ("ari", x.ari, "fraction"), ("v_measure", x.vMeasure, "fraction"),
                            ("cluster_accuracy", x.clusterAccuracy, "percent")]
                        .map { Row(protocol: "cluster", pooling: x.pooling, setting: setting, metric: $0.0, value: $0.1, unit: $0.2) }
                }
            case .retrieval:
                return ([r.retrieval, r.textRetrieval].compactMap { $0 }.flatMap(\.results)).flatMap { x -> [Row] in
                    x.recallAtK.map { Row(protocol: "retrieval", pooling: x.pooling, setting: x.direction, metric: "recall@\($0.k)",
                                          value: $0.recall, unit: "percent") }
                        + (x.mapAtR.map { [Row(protocol: "retrieval", pooling: x.pooling, setting: x.direction, metric: "map@r", value: $0, unit: "percent")] } ?? [])
                }
            case .zeroshot:
                guard let z = r.zeroshot, let x = z.results.first else { return [] }
                let setting = z.templates.count == 1 ? "1 template" : "\(z.templates.count) templates"
                return [("top1_accuracy", x.top1Accuracy), ("top5_accuracy", x.top5Accuracy), ("mean_per_class_recall", x.meanPerClassRecall)]
                    .map { Row(protocol: "zeroshot", pooling: "two towers", setting: setting, metric: $0.0, value: $0.1, unit: "percent") }
            }
        }
    }

    /// The table a person reads.
    public func text() -> String {
        var fields: [(String, String)] = [("Task", "model card (\(protocols.map(\.rawValue).joined(separator: ", ")))"), ("Model", modelName)]
        if let dataset {
            fields.append(("Dataset", dataset.name + (dataset.split.map { " (\($0))" } ?? "")))
            if let train = dataset.trainSamples { fields.append(("Train", "\(dataset.trainSplit ?? "precomputed") (\(train) samples)")) }
            fields.append(("Samples", String(dataset.samples)))
            fields.append(("Classes", String(dataset.classes)))
            if !dataset.skipped.isEmpty { fields.append(("Skipped", "\(dataset.skipped.count) unreadable image(s)")) }
        } else if let z = reports.zeroshot {
            fields.append(("Dataset", z.dataset.name + (z.dataset.split.map { " (\($0))" } ?? "")))
            fields.append(("Samples", String(z.samples)))
        }
        let rows = results.map { r in
            [r.protocol, r.pooling, r.setting, r.metric + (r.unit == "percent" ? " (%)" : ""),
             String(format: r.unit == "percent" ? "%.2f" : "%.4f", r.value)]
        }
        let table = TerminalTable.table(header: ["Protocol", "Pooling", "Setting", "Metric", "Value"], rows: rows,
                                        alignments: [.left, .left, .left, .left, .right])
        return [TerminalTable.title("Model card: \(modelName)"), "", TerminalTable.fields(fields), "", table, "",
                "Time: " + timings.text].joined(separator: "\n")
    }
}
