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

    /// Accepts the seed's `knn_`-prefixed names too.
    public init?(name: String) {
        self.init(rawValue: name.hasPrefix("knn_") ? String(name.dropFirst(4)) : name)
    }

    /// Top-1 accuracy decides comparisons; the others are reported for information.
    public var isDecisive: Bool { self == .top1Accuracy }
}

/// One reported figure, in percent, and the per-sample outcomes it is the mean of (nil for figures that are not a
/// mean over samples, such as mean per-class recall).
public struct Score: Sendable {
    public var metric: Metric
    public var k: Int?
    /// The embedding set the figure comes from: its index and pooling name.
    public var set: Int
    public var pooling: String
    public var value: Double
    public var perSample: [Bool]?

    public init(metric: Metric, k: Int? = nil, set: Int = 0, pooling: String, value: Double, perSample: [Bool]?) {
        self.metric = metric
        self.k = k
        self.set = set
        self.pooling = pooling
        self.value = value
        self.perSample = perSample
    }
}
