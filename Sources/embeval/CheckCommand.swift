import ArgumentParser
import Embeval
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run a file of expected results (the CI gate): one row per entry with PASS, FAIL or INCONCLUSIVE.",
        discussion: """
        EXPECTATIONS.json is a list (or {"entries": [...]}) of {"model": PATH | "roles": {"image-encoder": PATH, \
        "text-encoder": PATH}, "task": "knn" | "zero-shot", "dataset": SPEC, "split", "samples", "metric": \
        "top1_accuracy" | "top5_accuracy" | "mean_per_class_recall", "expected": PERCENT, "tolerance": PP} with \
        optional "k", "protocol", "weighting", "pooling", "templates", "seed". Relative paths resolve against the \
        file's folder. An accuracy passes when the 95% bootstrap CI of (measured − expected) lies within ±tolerance, \
        fails when it lies wholly outside; mean per-class recall is compared as a number. Exit codes: 0 all PASS, \
        1 any FAIL, 3 otherwise INCONCLUSIVE, 2 bad input.
        """
    )

    @Argument(help: "The expectations file.")
    var expectations: String

    @Option(help: "Bootstrap resamples per entry.")
    var bootstrap: Int = 2000

    @Option(help: "Images per forward pass.")
    var batchSize: Int = 64

    @Option(help: "Intra-op threads of ONNX Runtime (default: all cores).")
    var threads: Int?

    @OptionGroup var output: OutputOptions

    struct Entry: Decodable {
        var model: String?
        var roles: [String: String]?
        var task: String
        var dataset: String
        var split: String?
        var samples: Int?
        var metric: String
        var expected: Double
        var tolerance: Double
        var k: Int?
        var `protocol`: String?
        var weighting: String?
        var pooling: String?
        var templates: [String]?
        var seed: UInt64?
    }

    struct Outcome { var entry: Entry; var measured: Double; var ci: (Double, Double)?; var verdict: Verdict }

    func run() throws {
        let file = URL(fileURLWithPath: expectations)
        let entries = try Self.entries(file)
        let base = file.deletingLastPathComponent()
        func resolve(_ path: String) -> String {
            if path.hasPrefix("/") || path == "pixels" || path == "fashion-mnist" { return path }
            if let colon = path.firstIndex(of: ":"), path.hasPrefix("cifar") {
                return String(path[...colon]) + resolve(String(path[path.index(after: colon)...]))
            }
            return base.appendingPathComponent(path).path
        }
        var outcomes = [Outcome]()
        for (i, raw) in entries.enumerated() {
            var entry = raw
            entry.model = entry.model.map(resolve)
            entry.roles = entry.roles?.mapValues(resolve)
            entry.dataset = resolve(entry.dataset)
            let where_ = "'\(file.path)' entry \(i)"
            guard entry.tolerance > 0 else { throw EmbevalError.input("\(where_): tolerance must be > 0, got \(entry.tolerance)") }
            outcomes.append(try evaluate(entry, where_: where_))
        }
        let rows = outcomes.map { o in
            [o.entry.model.map { URL(fileURLWithPath: $0).lastPathComponent } ?? o.entry.roles?["image-encoder"].map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent } ?? "?",
             o.entry.task, o.entry.metric + (o.entry.k.map { "@\($0)" } ?? ""),
             String(format: "%.2f ± %.2f", o.entry.expected, o.entry.tolerance), String(format: "%.2f", o.measured),
             o.ci.map { String(format: "[%.2f, %.2f]", $0.0, $0.1) } ?? "", o.verdict.rawValue]
        }
        print(TerminalTable.table(header: ["Model", "Task", "Metric", "Expected", "Measured", "95% CI", "Verdict"], rows: rows,
                                  alignments: [.left, .left, .left, .right, .right, .right, .left]))
        let overall = Verdict.combined(outcomes.map(\.verdict))
        print("Verdict: \(overall.rawValue) (\(outcomes.filter { $0.verdict == .pass }.count)/\(outcomes.count) PASS)")
        if let json = output.json {
            try JSONValue.object([
                ("task", "check"), ("verdict", .string(overall.rawValue)),
                ("entries", .array(outcomes.map { o in
                    .object([("model", o.entry.model.map { .string($0) } ?? .null), ("task", .string(o.entry.task)),
                             ("dataset", .string(o.entry.dataset)), ("metric", .string(o.entry.metric)),
                             ("expected", .number(o.entry.expected)), ("tolerance", .number(o.entry.tolerance)),
                             ("measured", .number(o.measured)),
                             ("ci95", o.ci.map { .array([.number($0.0), .number($0.1)]) } ?? .null),
                             ("verdict", .string(o.verdict.rawValue))])
                })),
            ]).write(to: URL(fileURLWithPath: json))
        }
        if overall != .pass { throw ExitCode(overall.exitCode) }
    }

    static func entries(_ file: URL) throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw EmbevalError.input("cannot read expectations file '\(file.path)'")
        }
        struct Wrapped: Decodable { var entries: [Entry] }
        do {
            if (try? JSONSerialization.jsonObject(with: data)) is [Any] { return try JSONDecoder().decode([Entry].self, from: data) }
            return try JSONDecoder().decode(Wrapped.self, from: data).entries
        } catch let DecodingError.keyNotFound(key, context) {
            throw EmbevalError.input("'\(file.path)' entry \(context.codingPath.compactMap(\.intValue).first ?? 0): missing field '\(key.stringValue)'")
        } catch {
            throw EmbevalError.input("'\(file.path)': not a list of expectation entries ({model|roles, task, dataset, metric, expected, tolerance, …})")
        }
    }

    /// Runs one entry and judges it.
    func evaluate(_ e: Entry, where_: String) throws -> Outcome {
        var dataset = try DatasetSpec.load(e.dataset, split: e.split)
        if let n = e.samples { dataset = dataset.sampled(n, seed: e.seed ?? 0) }
        let extractor = EmbeddingExtractor(batchSize: batchSize)
        let perSample: [Bool]?, value: Double
        switch (e.task, e.metric) {
        case ("knn", "top1_accuracy"), ("knn", "top5_accuracy"), ("knn", "knn_top1_accuracy"), ("knn", "knn_top5_accuracy"):
            guard let path = e.model else { throw EmbevalError.input("\(where_): task knn needs \"model\"") }
            let pooling = try Pooling(parsing: e.pooling ?? "cls")
            let model: ImageEmbeddingModel = path == "pixels" ? PixelModel() : try OnnxImageModel(path: path, poolings: [pooling], threads: threads)
            let query = try extractor.extract(dataset, with: model).embeddings[model.poolings[0]]!
            let proto = KNNProtocol(rawValue: e.protocol ?? "loo") ?? .leaveOneOut
            var train: Embeddings? = nil
            if proto == .trainTest {
                train = try extractor.extract(try DatasetSpec.load(e.dataset, split: "train"), with: model).embeddings[model.poolings[0]]!
            }
            let weighting = e.weighting.flatMap(VoteWeighting.init(rawValue:)) ?? proto.defaultWeighting
            let result = try KNNEvaluation(query, train: train, ks: [e.k ?? proto.defaultK], weighting: weighting).results[0]
            perSample = e.metric.contains("top1") ? zip(result.predictions, query.labels).map { $0 == $1 } : result.top5Hits
            value = e.metric.contains("top1") ? result.top1Accuracy : result.top5Accuracy
        case ("zero-shot", "top1_accuracy"), ("zero-shot", "top5_accuracy"), ("zero-shot", "mean_per_class_recall"):
            let spec = e.roles.map { ["image-encoder=\($0["image-encoder"] ?? "")", "text-encoder=\($0["text-encoder"] ?? "")"] } ?? e.model.map { [$0] }
            guard let spec else { throw EmbevalError.input("\(where_): task zero-shot needs \"roles\" or \"model\"") }
            let model = try TwoTowerModel(ModelRoles(arguments: spec), threads: threads) { try TokenizerLoader.load(path: $0.path) }
            let templates = try (e.templates ?? [PromptTemplate.pipelineDefault.text]).map(PromptTemplate.init)
            let names = try ClassNames.validated(dataset.classes, source: "dataset '\(dataset.name)'")
            let classes = ZeroShotClassifier.classEmbeddings(try model.text.embed(names.flatMap { n in templates.map { $0.prompt(for: n) } }),
                                                             classes: names.count, templates: templates.count)
            let images = try extractor.extract(dataset, with: model.image).embeddings[model.image.poolings[0]]!
            let result = ZeroShotClassifier.evaluate(images: images.matrix, labels: images.labels, classEmbeddings: classes)
            switch e.metric {
            case "top1_accuracy": perSample = zip(result.predictions, images.labels).map { $0 == $1 }; value = result.top1Accuracy
            case "top5_accuracy": perSample = result.top5Hits; value = result.top5Accuracy
            default: perSample = nil; value = result.meanPerClassRecall
            }
        default:
            throw EmbevalError.input("\(where_): unknown task/metric '\(e.task)'/'\(e.metric)' (tasks: knn, zero-shot; metrics: top1_accuracy, top5_accuracy, mean_per_class_recall for zero-shot)")
        }
        guard let perSample else {
            return Outcome(entry: e, measured: value, ci: nil, verdict: abs(value - e.expected) <= e.tolerance ? .pass : .fail)
        }
        let interval = PairedBootstrap.accuracy(perSample, resamples: bootstrap, seed: e.seed ?? 0)
        let ci = (interval.ci95.lower, interval.ci95.upper)
        return Outcome(entry: e, measured: value, ci: ci,
                       verdict: Verdict(ci95: (ci.0 - e.expected, ci.1 - e.expected), tolerance: e.tolerance))
    }
}
