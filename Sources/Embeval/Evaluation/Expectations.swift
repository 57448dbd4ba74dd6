import Foundation

/// One entry of an expectations file (`embeval check`): a model, a task on a dataset, and the figure it must reach.
/// Every value is typed: a misspelt task, metric, protocol, weighting or pooling — or an unknown field — is an error
/// naming the entry, never a silent default.
public struct Expectation: Decodable, Sendable {
    public enum Task: String, Codable, CaseIterable, Sendable {
        case knn, zeroShot = "zero-shot", linear, cluster, retrieval

        /// The fields an entry of this task may hold besides the ones every entry has: any other is a mistake the
        /// entry would silently ignore (a knn entry's `"C"` or `"classnames"`).
        var ownFields: Set<String> {
            switch self {
            case .knn: ["k", "protocol", "weighting", "temperature", "pooling", "train_split", "train_samples"]
            case .zeroShot: ["templates", "classnames"]
            case .linear: ["C", "pooling", "train_split", "train_samples"]
            case .cluster: ["clusters", "minibatch", "pooling"]
            case .retrieval: ["k", "direction", "pooling"]
            }
        }

        /// The metrics the task reports.
        var metrics: [Metric] {
            switch self {
            case .knn: [.top1Accuracy, .top5Accuracy]
            case .zeroShot, .linear: [.top1Accuracy, .top5Accuracy, .meanPerClassRecall]
            case .cluster: [.nmi, .ari, .vMeasure, .clusterAccuracy]
            case .retrieval: [.recallAtK, .mapAtR]
            }
        }
    }

    public var model: String?
    /// `{"image-encoder": PATH, "text-encoder": PATH}` for a two-tower model given by role.
    public var roles: [String: String]?
    public var task: Task
    public var dataset: String
    public var split: String?
    /// The hub revision of a dataset given as a hub repository id (`owner/name`).
    public var revision: String?
    public var samples: Int?
    public var metric: Metric
    public var expected: Double
    public var tolerance: Double
    public var k: Int?
    public var `protocol`: KNNProtocol?
    public var weighting: VoteWeighting?
    public var temperature: Double?
    public var pooling: String?
    public var templates: [String]?
    public var classnames: String?
    public var seed: UInt64?
    public var trainSplit: String?
    public var trainSamples: Int?
    public var onBadImage: BadImagePolicy?
    public var columns: [String: String]?
    public var imageSize: Int?
    public var resize: Int?
    public var crop: Int?
    public var mean: [Double]?
    public var std: [Double]?
    public var resample: String?
    /// linear: a fixed C (default: chosen on the validation slice).
    public var C: Double?
    /// cluster: k (default: the number of classes) and the mini-batch variant.
    public var clusters: Int?
    public var minibatch: Bool?
    /// retrieval: `image-to-image` (default for one model), `image-to-text` or `text-to-image` (two towers).
    public var direction: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, roles, task, dataset, split, revision, samples, metric, expected, tolerance, k, `protocol`, weighting
        case temperature, pooling, templates, classnames, seed, trainSplit = "train_split", trainSamples = "train_samples"
        case onBadImage = "on_bad_image", columns, imageSize = "image_size", resize, crop, mean, std, resample
        case C, clusters, minibatch, direction
    }

    public init(from decoder: Decoder) throws {
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        let all = try decoder.container(keyedBy: AnyCodingKey.self)
        if let unknown = all.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw ExpectationFile.FieldError(field: unknown, reason: "unknown field (accepted: \(CodingKeys.allCases.map(\.stringValue).joined(separator: ", ")))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func choice<T: RawRepresentable & Decodable & CaseIterable>(_ key: CodingKeys, _ type: T.Type) throws -> T? where T.RawValue == String {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let value = T(rawValue: text) else {
                throw ExpectationFile.FieldError(field: key.stringValue, reason: "'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        model = try c.decodeIfPresent(String.self, forKey: .model)
        roles = try c.decodeIfPresent([String: String].self, forKey: .roles)
        guard let task = try choice(.task, Task.self) else { throw DecodingError.keyNotFound(CodingKeys.task, .init(codingPath: [], debugDescription: "")) }
        self.task = task
        let shared: Set = ["model", "roles", "task", "dataset", "split", "revision", "samples", "metric", "expected", "tolerance", "seed",
                           "on_bad_image", "columns", "image_size", "resize", "crop", "mean", "std", "resample"]
        if let unused = all.allKeys.map(\.stringValue).sorted().first(where: { !shared.contains($0) && !task.ownFields.contains($0) }) {
            throw ExpectationFile.FieldError(field: unused, reason: "task \(task.rawValue) does not take it (its own fields: \(task.ownFields.sorted().joined(separator: ", ")))")
        }
        dataset = try c.decode(String.self, forKey: .dataset)
        split = try c.decodeIfPresent(String.self, forKey: .split)
        revision = try c.decodeIfPresent(String.self, forKey: .revision)
        samples = try c.decodeIfPresent(Int.self, forKey: .samples)
        let metricName = try c.decode(String.self, forKey: .metric)
        guard let metric = Metric(name: metricName) else {
            throw ExpectationFile.FieldError(field: "metric", reason: "'\(metricName)' is not one of \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.metric = metric
        expected = try c.decode(Double.self, forKey: .expected)
        tolerance = try c.decode(Double.self, forKey: .tolerance)
        k = try c.decodeIfPresent(Int.self, forKey: .k)
        self.protocol = try choice(.protocol, KNNProtocol.self)
        weighting = try choice(.weighting, VoteWeighting.self)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        pooling = try c.decodeIfPresent(String.self, forKey: .pooling)
        templates = try c.decodeIfPresent([String].self, forKey: .templates)
        classnames = try c.decodeIfPresent(String.self, forKey: .classnames)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        trainSplit = try c.decodeIfPresent(String.self, forKey: .trainSplit)
        trainSamples = try c.decodeIfPresent(Int.self, forKey: .trainSamples)
        onBadImage = try choice(.onBadImage, BadImagePolicy.self)
        columns = try c.decodeIfPresent([String: String].self, forKey: .columns)
        imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize)
        resize = try c.decodeIfPresent(Int.self, forKey: .resize)
        crop = try c.decodeIfPresent(Int.self, forKey: .crop)
        mean = try c.decodeIfPresent([Double].self, forKey: .mean)
        std = try c.decodeIfPresent([Double].self, forKey: .std)
        resample = try c.decodeIfPresent(String.self, forKey: .resample)
        C = try c.decodeIfPresent(Double.self, forKey: .C)
        clusters = try c.decodeIfPresent(Int.self, forKey: .clusters)
        minibatch = try c.decodeIfPresent(Bool.self, forKey: .minibatch)
        direction = try c.decodeIfPresent(String.self, forKey: .direction)
        if let direction, !["image-to-image", "image-to-text", "text-to-image"].contains(direction) {
            throw ExpectationFile.FieldError(field: "direction", reason: "'\(direction)' is not one of image-to-image, image-to-text, text-to-image")
        }
        guard task.metrics.contains(metric) else {
            throw ExpectationFile.FieldError(field: "metric", reason: "task \(task.rawValue) reports \(task.metrics.map(\.rawValue).joined(separator: ", ")), not \(metric.rawValue)")
        }
    }

    /// The task this entry runs, built from the same library types as the commands' own.
    func evaluation(base: URL, threads: Int?) throws -> any EvaluationTask {
        let resolve = { Self.resolve($0, base: base) }
        // A value the figure cannot take (an accuracy of 150, or in the wrong unit) is a mistake, not a gate; so is a
        // tolerance past the metric's whole range.
        let range = metric.range, width = range.upperBound - range.lowerBound
        guard expected.isFinite else { throw EvaluationError.invalidParameter(name: "expected", value: "\(expected)", expected: "a finite number") }
        guard range.contains(expected) else {
            throw EvaluationError.invalidParameter(name: "expected", value: "\(expected)",
                                                   expected: String(format: "within %g…%g, the values %@ takes", range.lowerBound, range.upperBound, metric.rawValue))
        }
        guard tolerance.isFinite, tolerance > 0, tolerance <= width else {
            throw EvaluationError.invalidParameter(name: "tolerance", value: "\(tolerance)",
                                                   expected: tolerance > 0 ? String(format: "at most %g", width) + " (\(metric.rawValue) spans " + String(format: "%g…%g)", range.lowerBound, range.upperBound) : "> 0")
        }
        var selection = try DatasetSelection(dataset, split: split, samples: samples, seed: seed ?? 0,
                                             columns: ColumnMapping(arguments: (columns ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }),
                                             revision: revision)
        selection.location = selection.location.resolved(against: base)
        let preprocessing = PreprocessorOverrides(imageSize: imageSize, shortestEdge: resize, cropSize: crop, mean: mean, std: std,
                                                  resample: try resample.map { text in
                                                      do { return try Resampling(parsing: text) } catch let error as EmbeddingError {
                                                          throw EmbeddingError.invalidArgument("--resample '\(text)': \(error)")
                                                      }
                                                  })
        func imageSpec() throws -> ImageModelSpec {
            guard let model else { throw EvaluationError.missingInput("task \(task.rawValue) needs \"model\"") }
            return try ImageModelSpec(path: resolve(model), poolings: [try Pooling(parsing: pooling ?? "cls")], threads: threads,
                                      preprocessing: preprocessing)
        }
        func twoTowerSpec() throws -> TwoTowerSpec {
            let arguments: [String]
            if let roles { arguments = roles.sorted { $0.key < $1.key }.map { "\($0.key)=\(resolve($0.value))" } }
            else if let model { arguments = [resolve(model)] }
            else { throw EvaluationError.missingInput("task \(task.rawValue) needs \"roles\" or \"model\"") }
            return try TwoTowerSpec(arguments: arguments, threads: threads, preprocessing: preprocessing)
        }
        let train = try TrainSplit(trainSplit ?? "train", samples: trainSamples)
        switch task {
        case .knn:
            let settings = try KNNSettings(protocol: self.protocol ?? .leaveOneOut, ks: [k ?? (self.protocol ?? .leaveOneOut).defaultK],
                                           weighting: weighting, temperature: temperature ?? 0.07)
            return KNNTask(source: .model(try imageSpec(), selection, train: train), settings: settings)
        case .zeroShot:
            return ZeroShotTask(model: try twoTowerSpec(), dataset: selection,
                                prompts: PromptSet(templates: try (templates ?? []).map(PromptTemplate.init),
                                                   classNamesFile: classnames.map { URL(fileURLWithPath: resolve($0)) }))
        case .linear:
            return LinearTask(source: .model(try imageSpec(), selection, train: train), settings: try LinearSettings(C: C))
        case .cluster:
            return ClusterTask(source: .model(try imageSpec(), selection),
                               settings: try ClusterSettings(clusters: clusters, minibatch: minibatch ?? false))
        case .retrieval:
            let ks = [k ?? 1]
            if roles != nil || (direction ?? "image-to-image") != "image-to-image" {
                return try RetrievalTask(mode: .imageText(try twoTowerSpec(), selection), ks: ks)
            }
            return try RetrievalTask(mode: .imageToImage(.model(try imageSpec(), selection)), ks: ks)
        }
    }

    /// A path of the entry taken relative to the expectations file's folder.
    static func resolve(_ path: String, base: URL) -> String {
        path.hasPrefix("/") || path == "pixels" ? path : base.appendingPathComponent(path).path
    }

    /// The model as the check table names it: the file or folder name, or the folder holding the role exports.
    var displayName: String {
        if let model { return URL(fileURLWithPath: model).lastPathComponent }
        if let image = roles?["image-encoder"] { return URL(fileURLWithPath: image).deletingLastPathComponent().lastPathComponent }
        return "?"
    }
}

/// A file of expectations: a JSON list of entries, or `{"entries": [...]}`.
public enum ExpectationFile {
    /// A field of an entry that cannot be used.
    struct FieldError: Error { var field: String; var reason: String }

    public static func load(_ url: URL) throws -> [Expectation] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EvaluationError.expectations(file: url.path, entry: nil, reason: "cannot read it")
        }
        let document: Any
        do { document = try JSONSerialization.jsonObject(with: data) } catch {
            throw EvaluationError.expectations(file: url.path, entry: nil, reason: "not valid JSON (\(jsonProblem(error, in: data)))")
        }
        guard let list = (document as? [Any]) ?? ((document as? [String: Any])?["entries"] as? [Any]) else {
            throw EvaluationError.expectations(file: url.path, entry: nil, reason: "expected a list of expectation entries ({model|roles, task, dataset, metric, expected, tolerance, …}) or {\"entries\": [...]}")
        }
        guard !list.isEmpty else { throw EvaluationError.expectations(file: url.path, entry: nil, reason: "no expectation entries: nothing to check") }
        return try list.enumerated().map { i, item in
                        guard item is [String: Any], let entryData = try? JSONSerialization.data(withJSONObject: item) else {
                throw EvaluationError.expectations(file: url.path, entry: i, reason: "expected a JSON object")
            }
            do { return try JSONDecoder().decode(Expectation.self, from: entryData) }
            catch let error as FieldError { throw EvaluationError.expectations(file: url.path, entry: i, reason: "field '\(error.field)': \(error.reason)") }
            catch DecodingError.keyNotFound(let key, _) { throw EvaluationError.expectations(file: url.path, entry: i, reason: "missing field '\(key.stringValue)'") }
            catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
                let field = context.codingPath.map(\.stringValue).joined(separator: ".")
                throw EvaluationError.expectations(file: url.path, entry: i, reason: "field '\(field)' has the wrong type (\(context.debugDescription))")
            } catch { throw EvaluationError.expectations(file: url.path, entry: i, reason: "\(error)") }
        }
    }
}

/// Foundation's words for a JSON syntax error, with its character offset turned into a line and column.
func jsonProblem(_ error: Error, in data: Data) -> String {
    let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
    guard let match = detail.firstMatch(of: #/character (\d+)/#), let offset = Int(match.1) else { return detail }
    let before = String(decoding: data.prefix(offset), as: UTF8.self)
    let line = before.filter { $0 == "\n" }.count + 1
    let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
    return detail.replacingOccurrences(of: match.0, with: "line \(line), column \(column)")
}

/// Runs an expectations file: each entry's task, its figure judged against the expected value.
public enum ExpectationCheck {
    public static func run(file: URL, resamples: Int = 2000, threads: Int? = nil, context: EvaluationContext) throws -> CheckReport {
        guard (100...PairedBootstrap.maximumResamples).contains(resamples) else {
            throw EvaluationError.invalidParameter(name: "--bootstrap", value: "\(resamples)", expected: "100…\(PairedBootstrap.maximumResamples)")
        }
        let entries = try ExpectationFile.load(file)
        let base = file.deletingLastPathComponent()
        var rows = [CheckReport.Entry]()
        for (i, entry) in entries.enumerated() {
            do {
                rows.append(try judge(entry, base: base, resamples: resamples, threads: threads, context: context))
            } catch let error as any UserError {
                throw EvaluationError.expectations(file: file.path, entry: i, reason: error.description)
            }
        }
        return CheckReport(entries: rows)
    }

    static func judge(_ entry: Expectation, base: URL, resamples: Int, threads: Int?, context: EvaluationContext) throws -> CheckReport.Entry {
        var entryContext = context
        entryContext.seed = entry.seed ?? 0
        entryContext.onBadImage = entry.onBadImage ?? context.onBadImage
        let task = try entry.evaluation(base: base, threads: threads)
        let scores = try task.runScores(entryContext)
        let direction = entry.direction ?? (entry.task == .retrieval ? (entry.roles == nil ? "image-to-image" : "text-to-image") : nil)
        guard let score = scores.first(where: { $0.metric == entry.metric && ($0.direction == nil || $0.direction == direction) }) else {
            throw EvaluationError.missingInput("task \(entry.task.rawValue) does not report \(entry.metric.rawValue)" + (direction.map { " for \($0)" } ?? ""))
        }
        var measured = CheckReport.Entry(model: entry.model.map { Expectation.resolve($0, base: base) }, displayName: entry.displayName,
                                         task: entry.task.rawValue, dataset: DatasetLocation(entry.dataset).resolved(against: base).spec,
                                         metric: entry.metric.rawValue, k: entry.k,
                                         expected: entry.expected, tolerance: entry.tolerance, measured: score.value, ci95: nil,
                                         verdict: abs(score.value - entry.expected) <= entry.tolerance ? .pass : .fail)
        if let outcomes = score.perSample {
            let interval = try PairedBootstrap.figure(outcomes, resamples: resamples, seed: entryContext.seed)
            measured.ci95 = [interval.ci95.lower, interval.ci95.upper]
            measured.verdict = Verdict(ci95: (interval.ci95.lower - entry.expected, interval.ci95.upper - entry.expected),
                                       tolerance: entry.tolerance, samples: outcomes.count, scale: entry.metric.unit.scale)
        }
        return measured
    }
}

extension EvaluationTask {
    /// Runs the task and gives its scores (opens the existential a check entry holds).
    func runScores(_ context: EvaluationContext) throws -> [Score] { try run(context).scores }
}

extension Resampling {
    /// A filter by name (`bilinear`) or Pillow's number (`2`).
    public init(parsing text: String) throws {
        let names: [String: Resampling] = ["nearest": .nearest, "bilinear": .bilinear, "bicubic": .bicubic,
                                           "lanczos": .lanczos, "box": .box, "hamming": .hamming]
        guard let value = names[text.lowercased()] ?? Int(text).flatMap(Resampling.init(rawValue:)) else {
            throw EmbeddingError.invalidArgument("expected nearest, bilinear, bicubic, lanczos, box, hamming or Pillow's number 0–5")
        }
        self = value
    }
}

extension BadImagePolicy: Codable {}
