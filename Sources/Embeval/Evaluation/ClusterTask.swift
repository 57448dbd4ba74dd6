import Foundation

/// k-means settings, checked once for every command that clusters.
public struct ClusterSettings: Sendable {
    /// k; nil: the number of classes among the evaluated samples.
    public var clusters: Int?
    /// k-means++ starts, the best kept by inertia (scikit-learn's `n_init`).
    public var initialisations: Int
    /// MIEB's `MiniBatchKMeans(batch_size=500, n_init="auto")` instead of full k-means.
    public var minibatch: Bool
    /// L2-normalise the embeddings first (as for kNN).
    public var normalize: Bool
    public var maxIterations: Int

    public init(clusters: Int? = nil, initialisations: Int = 10, minibatch: Bool = false, normalize: Bool = true,
                maxIterations: Int = 300) throws {
        if let clusters, clusters < 2 {
            throw EvaluationError.invalidParameter(name: "--clusters", value: "\(clusters)", expected: "≥ 2")
        }
        guard (1...1_000).contains(initialisations) else {
            throw EvaluationError.invalidParameter(name: "--n-init", value: "\(initialisations)", expected: "1…1000")
        }
        guard maxIterations >= 1 else { throw EvaluationError.invalidParameter(name: "--max-iter", value: "\(maxIterations)", expected: "≥ 1") }
        self.clusters = clusters
        self.initialisations = initialisations
        self.minibatch = minibatch
        self.normalize = normalize
        self.maxIterations = maxIterations
    }
}

/// Clustering quality: k-means on each pooling's embeddings, its clusters scored against the classes (NMI, ARI,
/// V-measure, cluster accuracy).
public struct ClusterTask: EvaluationTask {
    public var source: EmbeddingSource
    public var settings: ClusterSettings
    public var modelName: String?

    public init(source: EmbeddingSource, settings: ClusterSettings, modelName: String? = nil) {
        self.source = source
        self.settings = settings
        self.modelName = modelName
    }

    public struct Prepared: PreparedEvaluation {
        public var embedded: EmbeddedData
    }

    public func prepare(_ context: EvaluationContext) throws -> Prepared {
        let embedded = try source.embed(context: context)
        guard embedded.isLabelled else {
            throw EvaluationError.missingInput("clustering scores compare clusters with classes: give --labels, or --dataset for the samples the embeddings are")
        }
        return Prepared(embedded: embedded)
    }

    public func evaluate(_ prepared: Prepared, context: EvaluationContext) throws -> ClusterOutcome {
        let data = prepared.embedded
        var timings = data.timings
        var results = [ClusterReport.Result](), scores = [Score]()
        try timings.measure("cluster") {
            for (index, set) in data.sets.enumerated() {
                try onSet(data.origin(of: set)) {
                    let labels = set.query.labels
                    let classes = Set(labels).count
                    guard classes >= 2 else { throw MetricError.tooFewClasses(metric: "clustering scores", needed: 2, got: classes, what: "evaluated samples") }
                    let k = settings.clusters ?? classes
                    guard k <= labels.count else {
                        throw MetricError.invalidParameter(name: "--clusters", value: "\(k)", expected: "at most the \(labels.count) samples")
                    }
                    if 2 * k > labels.count {
                        context.warn("\(set.pooling): --clusters \(k) for \(labels.count) samples leaves fewer than two a cluster: clusters that small are nearly pure whatever the embeddings, so NMI, V-measure and homogeneity read high (ARI does not)")
                    }
                    try ClusteringScores.checkMatching(classes: classes, clusters: k)
                    let steps = ClusteringScores.matchingSteps(classes: classes, clusters: k)
                    if steps > 1e11 {
                        context.warn("\(set.pooling): cluster accuracy matches \(classes) classes with \(k) clusters by the Hungarian algorithm, about " + String(format: "%.1e", steps) + " steps: minutes to hours")
                    }
                    let x = EmbeddedData.features(set.query, normalize: settings.normalize)
                    let fit = settings.minibatch
                        ? MiniBatchKMeans(clusters: k, seed: context.seed).fit(x)
                        : KMeans(clusters: k, initialisations: settings.initialisations, maxIterations: settings.maxIterations,
                                 seed: context.seed).fit(x)
                    let s = ClusteringScores(classes: labels, clusters: fit.labels)
                    results.append(.init(pooling: set.pooling, clusters: k, nmi: s.nmi, ari: s.ari, vMeasure: s.vMeasure,
                                         clusterAccuracy: 100 * s.clusterAccuracy, homogeneity: s.homogeneity,
                                         completeness: s.completeness, inertia: fit.inertia))
                    let outcomes = { (metric: Metric) in SampleOutcomes.clustering(classes: labels, clusters: fit.labels, metric: metric) }
                    scores += [
                        Score(metric: .nmi, set: index, pooling: set.pooling, value: s.nmi, perSample: outcomes(.nmi), decisive: true),
                        Score(metric: .ari, set: index, pooling: set.pooling, value: s.ari, perSample: outcomes(.ari)),
                        Score(metric: .vMeasure, set: index, pooling: set.pooling, value: s.vMeasure, perSample: outcomes(.vMeasure)),
                        Score(metric: .clusterAccuracy, set: index, pooling: set.pooling, value: 100 * s.clusterAccuracy,
                              correct: s.matched(classes: labels, clusters: fit.labels)),
                    ]
                }
            }
        }
        timings.append("total", Date().timeIntervalSince(data.started))
        let requested = source.requested
        let report = ClusterReport(
            samples: data.primary.count, results: results, modelName: modelName ?? data.model.name, model: data.model.metadata,
            dataset: data.summary(),
            parameters: .init(clusters: settings.clusters, algorithm: settings.minibatch ? "minibatch-kmeans" : "kmeans",
                              nInit: settings.minibatch ? 1 : settings.initialisations, batchSize: settings.minibatch ? 500 : nil,
                              maxIterations: settings.minibatch ? nil : settings.maxIterations, normalize: settings.normalize,
                              pooling: requested.pooling, seed: context.seed, samplesRequested: requested.samples),
            health: data.healthSummaries, timings: timings)
        return ClusterOutcome(report: report, scores: scores, classNames: data.primary.classes)
    }
}

/// A clustering's report and each sample's class and cluster behind its scores.
public struct ClusterOutcome: EvaluationOutcome {
    public var report: ClusterReport
    public var scores: [Score]
    /// The evaluated samples' class names (label order), for pages.
    public var classNames: [String] = []
    public var summary: String { report.parameters.algorithm }
}
