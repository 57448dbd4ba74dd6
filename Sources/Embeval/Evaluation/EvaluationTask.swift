import Foundation

/// One evaluation protocol: kNN, zero-shot (and later linear probe, retrieval, clustering, audit).
///
/// `prepare` runs the models — the slow part — and `evaluate` computes the metrics. They are apart so that
/// `Comparison` can align two prepared sides on their common samples before scoring both, and `ExpectationCheck`
/// can bootstrap one; `run` does both for a single evaluation.
public protocol EvaluationTask: Sendable {
    associatedtype Prepared: PreparedEvaluation
    associatedtype Outcome: EvaluationOutcome

    func prepare(_ context: EvaluationContext) throws -> Prepared
    func evaluate(_ prepared: Prepared, context: EvaluationContext) throws -> Outcome
}

extension EvaluationTask {
    /// Prepares and evaluates: the whole evaluation in one call.
    public func run(_ context: EvaluationContext) throws -> Outcome {
        try evaluate(prepare(context), context: context)
    }
}

/// A task's input after its models ran: at least the embeddings of the evaluated samples.
public protocol PreparedEvaluation: Sendable {
    var embedded: EmbeddedData { get set }
    /// The same input reduced to the samples `ids`, in that order (what a comparison scores both sides on).
    func aligned(to ids: [String]) throws -> Self
}

extension PreparedEvaluation {
    /// The same input reduced to the samples `ids`, in that order.
    public func aligned(to ids: [String]) throws -> Self {
        var copy = self
        copy.embedded = try embedded.aligned(to: ids)
        return copy
    }
}

/// What an evaluation found: its figures, each with the per-sample outcomes behind it where it has them, in the
/// order of the evaluated samples.
public protocol EvaluationOutcome: Sendable {
    /// The protocol in a few words for reports: `knn (loo)`, `zero-shot`.
    var summary: String { get }
    var scores: [Score] { get }
}

/// The figures evaluations report.
public enum Metric: String, Codable, CaseIterable, Sendable {
    case top1Accuracy = "top1_accuracy"
    case top5Accuracy = "top5_accuracy"
    case meanPerClassRecall = "mean_per_class_recall"
    /// Retrieval: the share of queries with a relevant item among their k nearest.
    case recallAtK = "recall_at_k"
    /// Retrieval: mean average precision at R (R the query's relevant items).
    case mapAtR = "map_at_r"
    /// Clustering against the classes.
    case nmi, ari
    case vMeasure = "v_measure"
    case clusterAccuracy = "cluster_accuracy"

    /// Accepts the seed's `knn_`-prefixed names too.
    public init?(name: String) {
        self.init(rawValue: name.hasPrefix("knn_") ? String(name.dropFirst(4)) : name)
    }

    /// How the figure is written: percent (accuracies, recall, mAP) or a fraction in [0, 1] (NMI, ARI, V-measure,
    /// as scikit-learn gives them).
    public var unit: MetricUnit {
        switch self {
        case .nmi, .ari, .vMeasure: .fraction
        default: .percent
        }
    }

    /// The values the figure can take: 0…100 for percentages, 0…1 for NMI and V-measure, −1…1 for ARI.
    public var range: ClosedRange<Double> {
        switch self {
        case .ari: -1...1
        default: 0...unit.scale
        }
    }
}

/// The scale of a figure: tolerances are in its own unit (percentage points, or hundredths of a fraction when a
/// comparison's tolerance is given in points).
public enum MetricUnit: Sendable {
    case percent, fraction

    /// What one whole unit of the figure is: 100 for a percentage, 1 for a fraction.
    public var scale: Double { self == .percent ? 100 : 1 }
}

/// One reported figure and the per-sample outcomes behind it (nil for figures that cannot be resampled by sample,
/// such as mean per-class recall).
public struct Score: Sendable {
    public var metric: Metric
    public var k: Int?
    /// The embedding set the figure comes from: its index and pooling name.
    public var set: Int
    public var pooling: String
    /// Retrieval's direction (`image-to-text`); nil for the other protocols.
    public var direction: String?
    public var value: Double
    public var perSample: SampleOutcomes?
    /// Whether a comparison's verdict rests on it (top-1 accuracy, NMI, recall at the smallest k); the others are
    /// reported for information.
    public var decisive: Bool

    public init(metric: Metric, k: Int? = nil, set: Int = 0, pooling: String, direction: String? = nil, value: Double,
                perSample: SampleOutcomes?, decisive: Bool? = nil) {
        self.metric = metric
        self.k = k
        self.set = set
        self.pooling = pooling
        self.direction = direction
        self.value = value
        self.perSample = perSample
        self.decisive = decisive ?? (metric == .top1Accuracy)
    }

    /// Per-sample correctness (an accuracy's or recall's outcomes).
    public init(metric: Metric, k: Int? = nil, set: Int = 0, pooling: String, direction: String? = nil, value: Double,
                correct: [Bool]?, decisive: Bool? = nil) {
        self.init(metric: metric, k: k, set: set, pooling: pooling, direction: direction, value: value,
                  perSample: correct.map(SampleOutcomes.correct), decisive: decisive)
    }
}

/// What a figure is computed from, sample by sample, so that a bootstrap can resample it and a comparison pair it.
public enum SampleOutcomes: Sendable {
    /// Right or wrong per sample: the figure is the percentage right.
    case correct([Bool])
    /// A value in [0, 1] per sample (a query's average precision): the figure is their mean, in percent.
    case values([Double])
    /// Each sample's class and cluster: the figure is a clustering score of the two labelings.
    case clustering(classes: [Int], clusters: [Int], metric: Metric)

    public var count: Int {
        switch self {
        case .correct(let c): c.count
        case .values(let v): v.count
        case .clustering(let classes, _, _): classes.count
        }
    }

    /// The figure over the samples `indices` (with repeats: a bootstrap resample).
    public func figure(over indices: [Int]) -> Double {
        switch self {
        case .correct(let c): 100 * Double(indices.reduce(0) { $0 + (c[$1] ? 1 : 0) }) / Double(max(indices.count, 1))
        case .values(let v): 100 * indices.reduce(0.0) { $0 + v[$1] } / Double(max(indices.count, 1))
        case .clustering(let classes, let clusters, let metric):
            ClusteringScores.value(of: metric, classes: indices.map { classes[$0] }, clusters: indices.map { clusters[$0] }) ?? .nan
        }
    }

    /// The figure over all samples.
    public var figure: Double { figure(over: Array(0..<count)) }
}
