import Foundation

/// The outcome of `embeval zeroshot`: model, dataset, prompts, the accuracy figures and, if asked, each class.
public struct ZeroShotReport: Report {
    public struct Result: Codable, Sendable {
        public var top1Accuracy: Double
        public var top5Accuracy: Double
        public var meanPerClassRecall: Double
        /// Present when asked for (`--per-class`).
        public var perClass: [ClassRecall]?
        enum CodingKeys: String, CodingKey {
            case top1Accuracy = "top1_accuracy", top5Accuracy = "top5_accuracy"
            case meanPerClassRecall = "mean_per_class_recall", perClass = "per_class"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(top1Accuracy, forKey: .top1Accuracy)
            try c.encode(top5Accuracy, forKey: .top5Accuracy)
            try c.encode(meanPerClassRecall, forKey: .meanPerClassRecall)
            if let perClass { try c.encode(perClass, forKey: .perClass) }
        }
    }

    public struct ClassRecall: Codable, Sendable {
        public var `class`: String
        public var images: Int
        /// Nil for a class with no image.
        public var recall: Double?
    }

    public struct DatasetSummary: Codable, Sendable {
        public var name: String
        public var split: String?
        public var samples: Int
        public var classes: Int
        public var skipped: [SkippedSample]
    }

    public struct Parameters: Codable, Sendable {
        public var batchSize: Int
        public var seed: UInt64
        public var samplesRequested: Int?
        public var prompts: Int
        /// Whether the prompts were lower-cased before the tokenizer (`--lowercase`); nil in reports from before it.
        public var lowercase: Bool?
        public var textOutput: String
        enum CodingKeys: String, CodingKey {
            case batchSize = "batch_size", seed, samplesRequested = "samples_requested", prompts, lowercase, textOutput = "text_output"
        }
    }

    public var task = "zero-shot"
    public var samples: Int
    public var results: [Result]
    public var templates: [String]
    public var classnames: [String]
    public var modelName: String
    public var model: JSONValue
    public var dataset: DatasetSummary
    public var parameters: Parameters
    public var timings: Timings
    public var versions = Versions()

    enum CodingKeys: String, CodingKey {
        case task, samples, results, templates, classnames, modelName = "model_name", model, dataset, parameters, timings, versions
    }

    public func text() -> String {
        var fields: [(String, String)] = [("Task", "zero-shot-image-classification"), ("Model", modelName), ("Dataset", dataset.name)]
        if let split = dataset.split { fields.append(("Split", split)) }
        fields.append(("Samples", String(samples)))
        fields.append(("Classes", String(classnames.count)))
        fields.append(("Templates", templates.count == 1 ? templates[0] : "\(templates.count) (ensembled)"))
        if parameters.lowercase == true { fields.append(("Prompts", "lower-cased")) }
        if !dataset.skipped.isEmpty { fields.append(("Skipped", "\(dataset.skipped.count) unreadable image(s)")) }
        let result = results[0]
        let table = TerminalTable.table(header: ["Metric", "Value"], rows: [
            ["top1_accuracy", String(format: "%.2f", result.top1Accuracy)],
            ["top5_accuracy", String(format: "%.2f", result.top5Accuracy)],
            ["mean_per_class_recall", String(format: "%.2f", result.meanPerClassRecall)],
        ])
        var parts = [TerminalTable.title("Evaluation: \(modelName)"), "", TerminalTable.fields(fields), "", table]
        if let perClass = result.perClass {
            let rows = perClass.map { [$0.class, String($0.images), $0.recall.map { String(format: "%.2f", $0) } ?? "–"] }
            parts += ["", TerminalTable.table(header: ["Class", "Images", "Recall (%)"], rows: rows)]
        }
        parts += ["", "Time: " + timings.text]
        return parts.joined(separator: "\n")
    }
}
