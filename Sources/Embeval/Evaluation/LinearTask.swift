import Foundation

/// The linear probe's settings, checked once for every command that runs one.
public struct LinearSettings: Sendable {
    /// A fixed C; nil sweeps `LinearProbe.defaultGrid` on a validation slice of train.
    public var C: Double?
    /// L2-normalise the embeddings first (as for kNN).
    public var normalize: Bool
    /// Few-shot: samples per class (each a separate experiment) and draws per count; nil trains on all of train.
    public var shots: [Int]?
    public var tries: Int
    public var maxIterations: Int
    /// The objective's precision (`--precision`): scikit-learn on float64 rows (the default) or on float32 rows.
    public var precision: LogisticRegression.Precision

    /// The C of few-shot runs without `--C`: scikit-learn's default (MIEB's probe), as n per class leaves no
    /// validation slice.
    public static let fewShotDefaultC = 1.0

    public init(C: Double? = nil, normalize: Bool = true, shots: [Int]? = nil, tries: Int = 5, maxIterations: Int = 1000,
                precision: LogisticRegression.Precision = .float64) throws {
        if let C, !(C.isFinite && C > 0) { throw EvaluationError.invalidParameter(name: "--C", value: "\(C)", expected: "> 0") }
        guard maxIterations >= 1 else { throw EvaluationError.invalidParameter(name: "--max-iter", value: "\(maxIterations)", expected: "≥ 1") }
        self.C = C
        self.normalize = normalize
        self.shots = try FewShotSampler.checked(shots: shots, tries: tries)
        self.tries = tries
        self.maxIterations = maxIterations
        self.precision = precision
    }
}

/// Logistic regression on frozen features: fitted on the train split's embeddings, scored on the evaluated split,
/// for every pooling — on all of train (C chosen on a validation slice of it) or few-shot.
public struct LinearTask: EvaluationTask {
    public var source: EmbeddingSource
    public var settings: LinearSettings
    public var modelName: String?

    public init(source: EmbeddingSource, settings: LinearSettings, modelName: String? = nil) {
        self.source = source
        self.settings = settings
        self.modelName = modelName
    }

    public struct Prepared: PreparedEvaluation {
        public var embedded: EmbeddedData
    }

    public func prepare(_ context: EvaluationContext) throws -> Prepared {
        guard source.hasTrain else {
            throw EvaluationError.missingInput("the linear probe trains on a train set: give --train-split (with a model and dataset) or --train-embeddings and --train-labels")
        }
        let embedded = try source.embed(includingTrain: true, context: context)
        guard embedded.isLabelled else {
            throw EvaluationError.missingInput("the linear probe needs labels: give --labels, or --dataset for the samples the embeddings are")
        }
        return Prepared(embedded: embedded)
    }

    public func evaluate(_ prepared: Prepared, context: EvaluationContext) throws -> LinearOutcome {
        let data = prepared.embedded
        var timings = data.timings
        var results = [LinearReport.Result](), curves = [LinearReport.Curve](), scores = [Score]()
        var predictions: [Int]? = nil
        try timings.measure("linear") {
            for (index, set) in data.sets.enumerated() {
                guard let trainSet = set.train else { throw EvaluationError.missingInput("no train embeddings for \(set.pooling)") }
                let name = data.origin(of: set) + " against \(data.origin(of: set, train: true))"
                try onSet(name) {
                    let train = EmbeddedData.features(trainSet, normalize: settings.normalize)
                    let test = EmbeddedData.features(set.query, normalize: settings.normalize)
                    let trained = Set(trainSet.labels).count
                    if trained <= 5 {
                        context.warn("\(set.pooling): \(trained) classes are trained: top-5 accuracy is 100% by construction (every class is among the five best)")
                    }
                    if let shots = settings.shots {
                        results += try fewShot(shots, train: train, trainSet: trainSet, test: test, testLabels: set.query.labels,
                                               pooling: set.pooling, classes: set.query.classes.count, context: context)
                        return
                    }
                    let probe = try LinearProbe(grid: settings.C.map { [$0] } ?? LinearProbe.defaultGrid, seed: context.seed,
                                                maxIterations: settings.maxIterations, precision: settings.precision)
                    let result = try probe.run(train: train, trainLabels: trainSet.labels, test: test, testLabels: set.query.labels,
                                               classes: set.query.classes.count)
                    if !result.converged {
                        context.warn("\(set.pooling): the fit at C=\(result.C) stopped before converging (\(result.stop.rawValue) after \(result.iterations) iterations)")
                    }
                    let s = result.scores
                    if index == 0 { predictions = s.predictions }
                    results.append(.init(pooling: set.pooling, C: result.C, top1Accuracy: s.top1Accuracy, top5Accuracy: s.top5Accuracy,
                                         meanPerClassRecall: s.meanPerClassRecall))
                    if !result.validation.isEmpty { curves.append(.init(pooling: set.pooling, curve: result.validation)) }
                    scores += [
                        Score(metric: .top1Accuracy, set: index, pooling: set.pooling, value: s.top1Accuracy, correct: s.top1Correct),
                        Score(metric: .top5Accuracy, set: index, pooling: set.pooling, value: s.top5Accuracy, correct: s.top5Hits),
                        Score(metric: .meanPerClassRecall, set: index, pooling: set.pooling, value: s.meanPerClassRecall, correct: nil),
                    ]
                }
            }
        }
        timings.append("total", Date().timeIntervalSince(data.started))
        let requested = source.requested
        let trainSamples = data.sets[0].train?.count ?? 0
        let report = LinearReport(
            samples: data.primary.count, results: results, validation: curves,
            modelName: modelName ?? data.model.name, model: data.model.metadata,
            dataset: data.summary(trainSamples: trainSamples),
            parameters: .init(C: settings.C, grid: settings.C == nil && settings.shots == nil ? LinearProbe.defaultGrid : nil,
                              validationFraction: settings.C == nil && settings.shots == nil ? 0.1 : nil,
                              normalize: settings.normalize, maxIterations: settings.maxIterations, tolerance: 1e-12,
                              precision: settings.precision.rawValue,
                              shots: settings.shots, tries: settings.shots == nil ? nil : settings.tries,
                              pooling: requested.pooling, batchSize: context.batchSize, seed: context.seed,
                              samplesRequested: requested.samples, trainSamplesRequested: requested.trainSamples),
            health: data.healthSummaries, timings: timings)
        return LinearOutcome(report: report, scores: scores, predictions: predictions, embedded: data)
    }

    /// The probe trained on n samples per class, `tries` draws each: mean and spread of the test figures.
    private func fewShot(_ shots: [Int], train: FeatureMatrix, trainSet: Embeddings, test: FeatureMatrix, testLabels: [Int],
                         pooling: String, classes: Int, context: EvaluationContext) throws -> [LinearReport.Result] {
        let sampler = try FewShotSampler(shots: shots, tries: settings.tries, seed: context.seed)
        try sampler.validate(trainSet.labels, classes: trainSet.classes)
        let C = settings.C ?? LinearSettings.fewShotDefaultC
        let probe = try LinearProbe(grid: [C], seed: context.seed, maxIterations: settings.maxIterations,
                                    precision: settings.precision)
        return try sampler.shots.map { n in
            let runs = try (0..<sampler.tries).map { attempt in
                let rows = sampler.draw(trainSet.labels, n: n, attempt: attempt)
                return try probe.run(train: train.selecting(rows), trainLabels: rows.map { trainSet.labels[$0] }, test: test,
                                     testLabels: testLabels, classes: classes).scores
            }
            let top1 = MeanAndSpread(runs.map(\.top1Accuracy)), top5 = MeanAndSpread(runs.map(\.top5Accuracy))
            let recall = MeanAndSpread(runs.map(\.meanPerClassRecall))
            return .init(pooling: pooling, C: C, top1Accuracy: top1.mean, top5Accuracy: top5.mean, meanPerClassRecall: recall.mean,
                         shots: n, tries: sampler.tries,
                         std: .init(top1Accuracy: top1.std, top5Accuracy: top5.std, meanPerClassRecall: recall.std))
        }
    }
}

/// Runs one set's metric; a metric's failure names the set it came from.
func onSet<T>(_ name: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as MetricError { throw EvaluationError.side(name: name, reason: error.description) }
}

/// A linear probe's report and the per-sample outcomes behind its figures (none for few-shot runs, whose figures
/// are means over draws).
public struct LinearOutcome: EvaluationOutcome {
    public var report: LinearReport
    public var scores: [Score]
    /// The first pooling's test predictions (nil for few-shot runs) and the embeddings they are of.
    public var predictions: [Int]? = nil
    public var embedded: EmbeddedData? = nil
    public var summary: String { report.parameters.shots == nil ? "linear" : "linear (few-shot)" }
}
