import Foundation

/// The outcome of `embeval audit`: what the embeddings say about the data, as lists a person can act on.
/// Ids are the samples' ids as `embed` writes them (paths relative to the dataset root).
public struct AuditReport: Report {
    public struct LabelIssue: Codable, Sendable {
        public var id: String
        public var given: String
        public var suggested: String
        /// Self-confidence: the share of the sample's k nearest neighbours in its given class.
        public var score: Double
    }

    public struct Group: Codable, Sendable {
        public var ids: [String]
        /// The lowest cosine among the group's pairs at or above the threshold.
        public var cosine: Double
    }

    public struct ExactGroup: Codable, Sendable {
        public var ids: [String]
        /// `identical_inputs` (the same preprocessed model input), `identical_files` (the same stored bytes), or for
        /// precomputed embeddings `identical_embeddings`.
        public var kind: String
    }

    /// Rows grouped by equal content, before ids are attached.
    public struct ExactDuplicates: Sendable {
        public var kind: String
        public var groups: [[Int]]
    }

    /// An audited sample that is a near duplicate of a train sample.
    public struct Leak: Codable, Sendable {
        public var id: String
        public var trainID: String
        public var cosine: Double
        enum CodingKeys: String, CodingKey { case id, trainID = "train_id", cosine }
    }

    public struct Outlier: Codable, Sendable {
        public var id: String
        /// cleanlab's outlier score exp(−mean distance / median): lower is more unusual.
        public var score: Double
        public var meanDistance: Double
        enum CodingKeys: String, CodingKey { case id, score, meanDistance = "mean_distance" }
    }

    public struct ClassLine: Codable, Sendable {
        public var name: String
        public var samples: Int
        /// NaN (null in the JSON) for a class with no audited sample.
        public var neighbourPurity: Double
        enum CodingKeys: String, CodingKey { case name, samples, neighbourPurity = "neighbour_purity" }

        public init(name: String, samples: Int, neighbourPurity: Double) {
            self.name = name
            self.samples = samples
            self.neighbourPurity = neighbourPurity
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            samples = try c.decode(Int.self, forKey: .samples)
            neighbourPurity = try c.decodeIfPresent(Double.self, forKey: .neighbourPurity) ?? .nan
        }
    }

    /// cleanlab's relative near-duplicate rule, reported beside the absolute one.
    public struct RelativeNearDuplicates: Codable, Sendable {
        public var factor: Double
        public var medianNearestDistance: Double
        public var radius: Double
        public var flagged: Int
        enum CodingKeys: String, CodingKey { case factor, medianNearestDistance = "median_nn_distance", radius, flagged }
    }

    public struct Parameters: Codable, Sendable {
        public var k: Int
        public var duplicateThreshold: Double
        /// `given`, or `auto` (1 − 0.13 × median nearest-neighbour distance).
        public var duplicateThresholdRule: String
        public var pairLimit: Int
        public var outlierIQRScale: Double
        public var minExamplesPerClass: Int
        public var pooling: String
        enum CodingKeys: String, CodingKey {
            case k, duplicateThreshold = "duplicate_threshold", duplicateThresholdRule = "duplicate_threshold_rule", pairLimit = "pair_limit", outlierIQRScale = "outlier_iqr_scale"
            case minExamplesPerClass = "min_examples_per_class", pooling
        }
    }

    public var task = "audit"
    public var samples: Int
    public var modelName: String
    public var model: JSONValue
    public var dataset: EvaluatedDataset
    public var parameters: Parameters
    /// nil for unlabelled samples.
    public var labelIssues: [LabelIssue]?
    public var nearDuplicates: [Group]
    public var nearDuplicatePairs: Int
    public var nearDuplicatesRelative: RelativeNearDuplicates
    public var exactDuplicates: [ExactGroup]
    /// With a train split: its near duplicates in the audited split (the most similar `pair_limit`), and how many.
    public var trainLeaks: [Leak]?
    public var trainLeakPairs: Int?
    public var outliers: [Outlier]
    public var outlierThreshold: Double
    public var classes: [ClassLine]
    public var health: [HealthSummary]
    public var timings: Timings
    public var versions = Versions()

    /// The per-sample and per-pair figures behind the lists, for `--lists` (not in the JSON: they grow with N).
    public let detail: Detail

    enum CodingKeys: String, CodingKey {
        case task, samples, modelName = "model_name", model, dataset, parameters, labelIssues = "label_issues"
        case nearDuplicates = "near_duplicates", nearDuplicatePairs = "near_duplicate_pairs"
        case nearDuplicatesRelative = "near_duplicates_relative", exactDuplicates = "exact_duplicates", trainLeaks = "train_leaks"
        case trainLeakPairs = "train_leak_pairs", outliers
        case outlierThreshold = "outlier_threshold", classes, health, timings, versions
    }

    public struct Detail: Sendable {
        public var audit: DataAudit?
        public var ids: [String]
        public var classNames: [String]
        public var labels: [Int]
    }

    public init(audit: DataAudit, embeddings: Embeddings, exact: [ExactDuplicates], leaks: (pairs: SimilarPairs, trainIDs: [String])? = nil, isLabelled: Bool, modelName: String,
                model: JSONValue, dataset: EvaluatedDataset, pooling: String, settings: DataAudit.Settings,
                health: [HealthSummary], timings: Timings) {
        let ids = embeddings.ids
        let names = (0..<max(embeddings.classes.count, (embeddings.labels.max() ?? 0) + 1)).map {
            $0 < embeddings.classes.count ? embeddings.classes[$0] : String($0)
        }
        samples = embeddings.count
        self.modelName = modelName
        self.model = model
        self.dataset = dataset
        parameters = Parameters(k: audit.k, duplicateThreshold: audit.duplicateSimilarity,
                                duplicateThresholdRule: settings.duplicateSimilarity == nil ? "auto" : "given", pairLimit: settings.pairLimit,
                                outlierIQRScale: Outliers.iqrScale, minExamplesPerClass: LabelIssues.minimumPerClass, pooling: pooling)
        labelIssues = audit.labelIssues.map { issues in
            issues.flagged.map { i in
                LabelIssue(id: ids[i], given: names[embeddings.labels[i]], suggested: names[issues.suggested[i]], score: issues.selfConfidence[i])
            }
        }
        let nodeID = { (node: Int) in node < ids.count ? ids[node] : "#\(node)" }
        nearDuplicates = audit.nearDuplicates.pairs.groups.map { Group(ids: $0.members.map(nodeID), cosine: Double($0.lowestSimilarity)) }
        nearDuplicatePairs = audit.nearDuplicates.pairs.total
        nearDuplicatesRelative = RelativeNearDuplicates(factor: NearDuplicates.relativeFactor,
                                                        medianNearestDistance: audit.nearDuplicates.medianNearestDistance,
                                                        radius: audit.nearDuplicates.relativeRadius,
                                                        flagged: audit.nearDuplicates.relativeFlagged.count)
        exactDuplicates = exact.flatMap { e in e.groups.map { ExactGroup(ids: $0.map { ids[$0] }, kind: e.kind) } }
        trainLeaks = leaks.map { l in
            l.pairs.pairs.map { Leak(id: ids[$0.first], trainID: l.trainIDs[$0.second - ids.count], cosine: Double($0.similarity)) }
        }
        trainLeakPairs = leaks?.pairs.total
        outliers = audit.outliers.flagged.map { Outlier(id: ids[$0], score: audit.outliers.score[$0], meanDistance: audit.outliers.meanDistance[$0]) }
        outlierThreshold = audit.outliers.threshold
        classes = isLabelled ? audit.classes.enumerated().map { ClassLine(name: names[$0], samples: $1.samples, neighbourPurity: $1.neighbourPurity) } : []
        self.health = health
        self.timings = timings
        detail = Detail(audit: audit, ids: ids, classNames: names, labels: embeddings.labels)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        task = try c.decode(String.self, forKey: .task)
        samples = try c.decode(Int.self, forKey: .samples)
        modelName = try c.decode(String.self, forKey: .modelName)
        model = try c.decode(JSONValue.self, forKey: .model)
        dataset = try c.decode(EvaluatedDataset.self, forKey: .dataset)
        parameters = try c.decode(Parameters.self, forKey: .parameters)
        labelIssues = try c.decodeIfPresent([LabelIssue].self, forKey: .labelIssues)
        nearDuplicates = try c.decode([Group].self, forKey: .nearDuplicates)
        nearDuplicatePairs = try c.decode(Int.self, forKey: .nearDuplicatePairs)
        nearDuplicatesRelative = try c.decode(RelativeNearDuplicates.self, forKey: .nearDuplicatesRelative)
        exactDuplicates = try c.decode([ExactGroup].self, forKey: .exactDuplicates)
        trainLeaks = try c.decodeIfPresent([Leak].self, forKey: .trainLeaks)
        trainLeakPairs = try c.decodeIfPresent(Int.self, forKey: .trainLeakPairs)
        outliers = try c.decode([Outlier].self, forKey: .outliers)
        outlierThreshold = try c.decode(Double.self, forKey: .outlierThreshold)
        classes = try c.decode([ClassLine].self, forKey: .classes)
        health = try c.decode([HealthSummary].self, forKey: .health)
        timings = try c.decode(Timings.self, forKey: .timings)
        versions = try c.decode(Versions.self, forKey: .versions)
        detail = Detail(audit: nil, ids: [], classNames: [], labels: [])
    }

    /// The summary a person reads: counts, then the first few of each list.
    public func text(top: Int = 5) -> String {
        var fields: [(String, String)] = [("Task", "data audit (k = \(parameters.k), \(parameters.pooling))"), ("Model", modelName),
                                          ("Dataset", dataset.name), ("Samples", String(samples))]
        if let split = dataset.split { fields.append(("Split", split)) }
        let exactCount = { (kind: String) in exactDuplicates.filter { $0.kind == kind }.reduce(0) { $0 + $1.ids.count } }
        var counts: [[String]] = []
        for kind in ["identical_files", "identical_inputs", "identical_embeddings"] where exactDuplicates.contains(where: { $0.kind == kind }) {
            counts.append(["exact duplicates (\(kind.replacingOccurrences(of: "_", with: " ")))", String(exactCount(kind)),
                           Self.count(exactDuplicates.filter { $0.kind == kind }.count, "group")])
        }
        let rule = parameters.duplicateThresholdRule == "auto" ? "; auto: 1 − 0.13 × median NN distance" : ""
        counts.append([String(format: "near duplicates (cosine ≥ %.4f%@)", parameters.duplicateThreshold, rule), String(nearDuplicates.reduce(0) { $0 + $1.ids.count }),
                       Self.count(nearDuplicates.count, "group") + ", " + Self.count(nearDuplicatePairs, "pair")])
        counts.append(["near duplicates (cleanlab: < \(nearDuplicatesRelative.factor) × median NN distance)",
                       String(nearDuplicatesRelative.flagged), String(format: "radius %.4g", nearDuplicatesRelative.radius)])
        if let trainLeaks, let trainLeakPairs {
            counts.append(["near duplicates of train samples (leaks)", String(Set(trainLeaks.map(\.id)).count) + (trainLeaks.count < trainLeakPairs ? "+" : ""),
                           Self.count(trainLeakPairs, "pair")])
        }
        if let labelIssues { counts.append(["label-error candidates", String(labelIssues.count), "confident learning, prune by noise rate"]) }
        counts.append(["outliers", String(outliers.count), String(format: "mean distance > %.4f (Q3 + 1.7 IQR)", outlierThreshold)])
        var lines = [TerminalTable.title("Audit: \(modelName)"), "", TerminalTable.fields(fields), "",
                     TerminalTable.table(header: ["Finding", "Samples", "Rule"], rows: counts, alignments: [.left, .right, .left])]
        if let labelIssues, !labelIssues.isEmpty {
            lines += ["", "Label-error candidates (lowest self-confidence first):",
                      TerminalTable.table(header: ["Id", "Given", "Suggested", "Score"],
                                          rows: labelIssues.prefix(top).map { [$0.id, $0.given, $0.suggested, String(format: "%.2f", $0.score)] })]
        }
        if !nearDuplicates.isEmpty {
            let largest = nearDuplicates.sorted { ($0.cosine, $1.ids.count) > ($1.cosine, $0.ids.count) }.prefix(top)
            lines += ["", "Near-duplicate groups (most similar first):",
                      TerminalTable.table(header: ["Cosine", "Ids"], rows: largest.map { [String(format: "%.4f", $0.cosine), Self.list($0.ids)] })]
        }
        if !outliers.isEmpty {
            lines += ["", "Outliers (farthest first):",
                      TerminalTable.table(header: ["Id", "Mean distance", "Score"],
                                          rows: outliers.prefix(top).map { [$0.id, String(format: "%.4f", $0.meanDistance), String(format: "%.3g", $0.score)] })]
        }
        if !classes.isEmpty {
            let worst = classes.filter { $0.samples > 0 }.sorted { $0.neighbourPurity < $1.neighbourPurity }.prefix(top)
            lines += ["", "Classes with the least neighbour purity:",
                      TerminalTable.table(header: ["Class", "Samples", "Purity"],
                                          rows: worst.map { [$0.name, String($0.samples), String(format: "%.3f", $0.neighbourPurity)] })]
        }
        lines += ["", "Embedding health: " + health.map(\.line).joined(separator: "\n                  "), "Time: " + timings.text]
        return lines.joined(separator: "\n")
    }

    private static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    private static func list(_ ids: [String]) -> String {
        ids.count <= 4 ? ids.joined(separator: ", ") : ids.prefix(3).joined(separator: ", ") + ", … (\(ids.count))"
    }
}
