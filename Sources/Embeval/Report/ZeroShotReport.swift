import Foundation

/// The outcome of `embeval zeroshot`: model, dataset, prompts, the accuracy figures and, if asked, each class.
public struct ZeroShotReport: Sendable {
    public var modelName: String
    public var model: JSONValue
    public var datasetName: String
    public var split: String?
    public var classNames: [String]
    public var templates: [String]
    public var result: ZeroShotResult
    public var perClass: Bool
    public var skipped: [(id: String, reason: String)]
    public var parameters: [(String, JSONValue)]
    public var timings: [(String, Double)]

    public init(modelName: String, model: JSONValue, datasetName: String, split: String?, classNames: [String],
                templates: [String], result: ZeroShotResult, perClass: Bool, skipped: [(id: String, reason: String)],
                parameters: [(String, JSONValue)], timings: [(String, Double)]) {
        self.modelName = modelName; self.model = model; self.datasetName = datasetName; self.split = split
        self.classNames = classNames; self.templates = templates; self.result = result; self.perClass = perClass
        self.skipped = skipped; self.parameters = parameters; self.timings = timings
    }

    var samples: Int { result.predictions.count }

    public func text() -> String {
        var fields: [(String, String)] = [("Task", "zero-shot-image-classification"), ("Model", modelName), ("Dataset", datasetName)]
        if let split { fields.append(("Split", split)) }
        fields.append(("Samples", String(samples)))
        fields.append(("Classes", String(classNames.count)))
        fields.append(("Templates", templates.count == 1 ? templates[0] : "\(templates.count) (ensembled)"))
        if !skipped.isEmpty { fields.append(("Skipped", "\(skipped.count) unreadable image(s)")) }
        let table = TerminalTable.table(header: ["Metric", "Value"], rows: [
            ["top1_accuracy", String(format: "%.2f", result.top1Accuracy)],
            ["top5_accuracy", String(format: "%.2f", result.top5Accuracy)],
            ["mean_per_class_recall", String(format: "%.2f", result.meanPerClassRecall)],
        ])
        var parts = [TerminalTable.title("Evaluation: \(modelName)"), "", TerminalTable.fields(fields), "", table]
        if perClass {
            let rows = classNames.indices.map { c in
                [classNames[c], String(result.perClassCount[c]), result.perClassRecall[c].map { String(format: "%.2f", $0) } ?? "–"]
            }
            parts += ["", TerminalTable.table(header: ["Class", "Images", "Recall (%)"], rows: rows)]
        }
        parts += ["", "Time: " + timings.map { String(format: "%@ %.2fs", $0.0, $0.1) }.joined(separator: ", ")]
        return parts.joined(separator: "\n")
    }

    public func json() -> JSONValue {
        var result: [(String, JSONValue)] = [("top1_accuracy", .number(self.result.top1Accuracy)),
                                             ("top5_accuracy", .number(self.result.top5Accuracy)),
                                             ("mean_per_class_recall", .number(self.result.meanPerClassRecall))]
        if perClass {
            result.append(("per_class", .array(classNames.indices.map { c in
                .object([("class", .string(classNames[c])), ("images", .int(self.result.perClassCount[c])),
                         ("recall", self.result.perClassRecall[c].map { .number($0) } ?? .null)])
            })))
        }
        return .object([
            ("task", "zero-shot"), ("samples", .int(samples)), ("results", .array([.object(result)])),
            ("templates", .array(templates.map { .string($0) })), ("classnames", .array(classNames.map { .string($0) })),
            ("model", model),
            ("dataset", .object([("name", .string(datasetName)), ("split", split.map { .string($0) } ?? .null),
                                 ("samples", .int(samples)), ("classes", .int(classNames.count)),
                                 ("skipped", .array(skipped.map { .object([("id", .string($0.id)), ("reason", .string($0.reason))]) }))])),
            ("parameters", .object(parameters)),
            ("timings", .object(timings.map { ($0.0, .number(($0.1 * 1000).rounded() / 1000)) })),
            ("versions", .object([("embeval", .string(EmbevalInfo.version))])),
        ])
    }
}
