import Foundation

/// How a candidate is judged against its baseline: the tolerance band, the bootstrap, the agreement's k.
public struct ComparisonSettings: Sendable {
    /// Largest acceptable |delta| in percentage points.
    public var tolerance: Double
    public var resamples: Int
    /// k of the neighbour-overlap agreement.
    public var overlapK: Int

    public init(tolerance: Double = 0.5, resamples: Int = 2000, overlapK: Int = 10) throws {
        // Percentage points: 100 already passes any delta (a fraction's tolerance is its hundredth).
        guard tolerance.isFinite, tolerance > 0, tolerance <= 100 else {
            throw EvaluationError.invalidParameter(name: "--tolerance", value: "\(tolerance)", expected: tolerance > 0 ? "at most 100 (percentage points: 100 passes any delta)" : "> 0")
        }
        guard (100...PairedBootstrap.maximumResamples).contains(resamples) else {
            throw EvaluationError.invalidParameter(name: "--bootstrap", value: "\(resamples)", expected: "100…\(PairedBootstrap.maximumResamples)")
        }
        guard overlapK >= 1 else { throw EvaluationError.invalidParameter(name: "--overlap-k", value: "\(overlapK)", expected: "≥ 1") }
        self.tolerance = tolerance
        self.resamples = resamples
        self.overlapK = overlapK
    }
}

/// A regression verdict: the same task run for a baseline and a candidate, scored on the samples both embedded,
/// each per-sample figure paired (bootstrap CI of the delta, McNemar), plus label-free agreement of the spaces.
public enum Comparison {
    public static func run<Task: EvaluationTask>(baseline: Task, candidate: Task, settings: ComparisonSettings,
                                                 context: EvaluationContext) throws -> ComparisonReport {
        let start = Date()
        let baselineContext = context.labelled("baseline"), candidateContext = context.labelled("candidate")
        var a = try onSide("baseline") { try baseline.prepare(baselineContext) }
        var b = try onSide("candidate") { try candidate.prepare(candidateContext) }
        let embeddingSeconds = Date().timeIntervalSince(start)

        // Rows without ids (no ids.txt) can only pair by position: their counts must match.
        if (a.embedded.idsAreRowNumbers || b.embedded.idsAreRowNumbers) && a.embedded.sampleIDs.count != b.embedded.sampleIDs.count {
            throw EvaluationError.incompatibleSides("baseline has \(a.embedded.sampleIDs.count) rows, candidate \(b.embedded.sampleIDs.count): without ids.txt beside the embeddings, rows pair by position and their counts must match")
        }
        // A side without ids pairs with the other by position: it takes the other's ids (its row numbers are no ids).
        if a.embedded.idsAreRowNumbers != b.embedded.idsAreRowNumbers {
            if a.embedded.idsAreRowNumbers { a.embedded = try a.embedded.renamed(to: b.embedded.sampleIDs) }
            else { b.embedded = try b.embedded.renamed(to: a.embedded.sampleIDs) }
        }
        // Pair samples by id: the ones both sides embedded, in the baseline's order.
        let ids = Set(b.embedded.sampleIDs)
        let common = a.embedded.sampleIDs.filter { ids.contains($0) }
        guard !common.isEmpty else {
            throw EvaluationError.incompatibleSides("baseline and candidate share no sample ids (e.g. '\(a.embedded.sampleIDs.first ?? "")' vs '\(b.embedded.sampleIDs.first ?? "")'): they must embed the same samples")
        }
        let (countA, countB) = (a.embedded.sampleIDs.count, b.embedded.sampleIDs.count)
        a = try a.aligned(to: common)
        b = try b.aligned(to: common)
        if common.count < countA || common.count < countB {
            context.warn("compared on the \(common.count) samples both sides embedded (\(countA - common.count) only in the baseline, \(countB - common.count) only in the candidate)")
        }
        if !(Task.self == AgreementTask.self) {
            let (x, y) = (a.embedded.primary, b.embedded.primary)
            guard x.classes == y.classes else {
                throw EvaluationError.incompatibleSides("baseline and candidate disagree on the classes (\(x.classes.prefix(3))… vs \(y.classes.prefix(3))…)")
            }
            // The same samples carry the same labels: rows paired otherwise are not the same samples.
            if let i = x.labels.indices.first(where: { x.labels[$0] != y.labels[$0] }) {
                throw EvaluationError.incompatibleSides("sample '\(x.ids[i])': the baseline labels it '\(x.classes[x.labels[i]])', the candidate '\(y.classes[y.labels[i]])': the two sides are not the same samples in the same order")
            }
            // Both sides train (kNN references, the linear probe) on the same samples: 1,000 train rows against 30
            // other ones passed before.
            if let trainA = a.embedded.sets.first?.train, let trainB = b.embedded.sets.first?.train {
                guard trainA.count == trainB.count else {
                    throw EvaluationError.incompatibleSides("the baseline's train set has \(trainA.count) rows, the candidate's \(trainB.count): both sides must train on the same samples")
                }
                if let i = trainA.labels.indices.first(where: { trainA.labels[$0] != trainB.labels[$0] }) {
                    throw EvaluationError.incompatibleSides("train row \(i): the baseline's is sample '\(trainA.ids[i])' of class '\(trainA.classes[trainA.labels[i]])', the candidate's '\(trainB.ids[i])' of class '\(trainB.classes[trainB.labels[i]])': both sides must train on the same samples in the same order")
                }
            }
        }
        let setsA = a.embedded.sets.count, setsB = b.embedded.sets.count
        guard setsA == setsB || setsA == 1 || setsB == 1 else {
            throw EvaluationError.incompatibleSides("the two sides give different pooling lists (\(setsA) and \(setsB) poolings)")
        }

        let outcomeA = try onSide("baseline") { try baseline.evaluate(a, context: baselineContext) }
        let outcomeB = try onSide("candidate") { try candidate.evaluate(b, context: candidateContext) }
        if settings.overlapK > common.count - 1 {
            context.warn("--overlap-k \(settings.overlapK) exceeds the \(common.count - 1) other samples; capped to \(max(common.count - 1, 0))")
        }
        let agreement = try EmbeddingAgreement(baseline: a.embedded.primary, candidate: b.embedded.primary, k: settings.overlapK)
        var summary = AgreementSummary(agreement)
        summary.addNeighbours(baseline: a.embedded.primary, candidate: b.embedded.primary, count: 3)
        return ComparisonReport(
            task: outcomeA.summary, tolerance: settings.tolerance, samples: common.count, resamples: settings.resamples,
            metrics: try paired(outcomeA.scores, outcomeB.scores, labelled: max(setsA, setsB) > 1, settings: settings, seed: context.seed),
            agreement: summary, baselineName: a.embedded.model.name, candidateName: b.embedded.model.name,
            baseline: a.embedded.model.metadata, candidate: b.embedded.model.metadata,
            dataset: .init(name: a.embedded.dataset.name, split: a.embedded.dataset.split, samples: common.count),
            timings: Timings([("embedding", embeddingSeconds), ("total", Date().timeIntervalSince(start))]),
            perClass: Task.self == AgreementTask.self ? nil : classDeltas(outcomeA.scores, outcomeB.scores, embeddings: a.embedded.primary))
    }

    /// Each class's recall on both sides, from the first top-1 figure's per-sample outcomes (nil without one).
    static func classDeltas(_ a: [Score], _ b: [Score], embeddings: Embeddings) -> [ComparisonReport.ClassDelta]? {
        guard let x = a.first(where: { $0.metric == .top1Accuracy }), let y = b.first(where: { $0.metric == .top1Accuracy && $0.k == x.k }),
              case .correct(let right)? = x.perSample, case .correct(let rightB)? = y.perSample,
              right.count == embeddings.count, rightB.count == embeddings.count else { return nil }
        let labels = embeddings.labels, classes = embeddings.classes
        var count = [Int](repeating: 0, count: classes.count), hitA = count, hitB = count
        for i in labels.indices where labels[i] < classes.count {
            count[labels[i]] += 1
            if right[i] { hitA[labels[i]] += 1 }
            if rightB[i] { hitB[labels[i]] += 1 }
        }
        return classes.indices.filter { count[$0] > 0 }.map { c in
            let ra = 100 * Double(hitA[c]) / Double(count[c]), rb = 100 * Double(hitB[c]) / Double(count[c])
            return ComparisonReport.ClassDelta(class: classes[c], samples: count[c], baseline: ra, candidate: rb, delta: rb - ra)
        }
    }

    /// Runs one side's step; its failure names the side.
    static func onSide<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as any UserError {
            throw EvaluationError.side(name: name, reason: error.description)
        }
    }

    /// Pairs the two sides' per-sample scores: set by set (a single set on one side serves every set of the other),
    /// then figure by figure, as both sides ran the same settings. Fractions (NMI) take the tolerance's hundredth.
    static func paired(_ a: [Score], _ b: [Score], labelled: Bool, settings: ComparisonSettings, seed: UInt64) throws -> [ComparedMetric] {
        let setsA = (a.map(\.set).max() ?? -1) + 1, setsB = (b.map(\.set).max() ?? -1) + 1
        var metrics = [ComparedMetric]()
        for set in 0..<max(setsA, setsB) {
            let sa = a.filter { $0.set == min(set, setsA - 1) }, sb = b.filter { $0.set == min(set, setsB - 1) }
            for (x, y) in zip(sa, sb) {
                guard let outcomesA = x.perSample, let outcomesB = y.perSample else { continue }
                guard outcomesA.count == outcomesB.count, outcomesA.count >= 1 else {
                    throw EvaluationError.incompatibleSides("\(x.metric.rawValue) is scored over \(outcomesA.count) queries in the baseline but \(outcomesB.count) in the candidate: the two sides must label the samples alike")
                }
                let scale = x.metric.unit.scale
                metrics.append(try ComparedMetric(name: x.metric.rawValue, k: x.k, pooling: labelled ? x.pooling : nil, direction: x.direction,
                                              baseline: outcomesA, candidate: outcomesB, scale: scale,
                                              tolerance: settings.tolerance * scale / 100, resamples: settings.resamples, seed: seed,
                                              decisive: x.decisive))
            }
        }
        return metrics
    }
}

/// Label-free agreement only (`compare --task agreement`): embeds both sides and scores nothing else, so it works
/// on unlabelled data.
public struct AgreementTask: EvaluationTask {
    public var source: EmbeddingSource

    public init(source: EmbeddingSource) { self.source = source }

    public struct Prepared: PreparedEvaluation {
        public var embedded: EmbeddedData
    }

    public struct Outcome: EvaluationOutcome {
        public var summary: String { "agreement" }
        public var scores: [Score] { [] }
    }

    public func prepare(_ context: EvaluationContext) throws -> Prepared {
        Prepared(embedded: try source.embed(context: context))
    }

    public func evaluate(_ prepared: Prepared, context: EvaluationContext) throws -> Outcome { Outcome() }
}
