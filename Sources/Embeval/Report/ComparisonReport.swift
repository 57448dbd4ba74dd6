import Foundation

/// Label-free agreement as reports show it.
public struct AgreementSummary: Codable, Sendable {
    public var meanCosine: Double?
    public var minCosine: Double?
    public var p01Cosine: Double?
    public var neighbourOverlapAtK: Double
    public var k: Int
    public var worstIds: [WorstSample]

    public struct WorstSample: Codable, Sendable {
        public var id: String
        public var cosine: Double
        /// The sample's nearest other samples in each model's space (ids, nearest first).
        public var baselineNeighbours: [String]?
        public var candidateNeighbours: [String]?
        enum CodingKeys: String, CodingKey {
            case id, cosine, baselineNeighbours = "baseline_neighbours", candidateNeighbours = "candidate_neighbours"
        }
    }

    enum CodingKeys: String, CodingKey {
        case meanCosine = "mean_cosine", minCosine = "min_cosine", p01Cosine = "p01_cosine"
        case neighbourOverlapAtK = "neighbour_overlap_at_k", k, worstIds = "worst_ids"
    }

    public init(_ a: EmbeddingAgreement) {
        meanCosine = a.cosines?.mean
        minCosine = a.cosines?.min
        p01Cosine = a.cosines?.p01
        neighbourOverlapAtK = a.neighbourOverlap
        k = a.k
        worstIds = (a.cosines?.worst ?? []).map { WorstSample(id: $0.id, cosine: $0.cosine) }
    }

    /// Adds each least-alike sample's `count` nearest other samples in both spaces (the two sets aligned by row).
    mutating func addNeighbours(baseline: Embeddings, candidate: Embeddings, count: Int) {
        let row = Dictionary(baseline.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = worstIds.compactMap { row[$0.id] }
        guard rows.count == worstIds.count, baseline.count >= 2, baseline.count == candidate.count else { return }
        func nearest(_ set: Embeddings) -> [[String]] {
            let references = set.rows
            let found = NearestNeighbors.cosine(of: references.selectingRows(rows), in: references, k: min(count + 1, set.count))
            return rows.enumerated().map { q, own in
                found.indices[(q * found.k)..<((q + 1) * found.k)].map(Int.init).filter { $0 != own }.prefix(count).map { set.ids[$0] }
            }
        }
        let a = nearest(baseline), b = nearest(candidate)
        for i in worstIds.indices {
            worstIds[i].baselineNeighbours = a[i]
            worstIds[i].candidateNeighbours = b[i]
        }
    }
}

/// The outcome of `embeval compare`.
public struct ComparisonReport: Report {
    /// A class's recall on each side (top-1 of the first pooling, in percent): which classes the candidate lost.
    public struct ClassDelta: Codable, Sendable {
        public var `class`: String
        public var samples: Int
        public var baseline: Double
        public var candidate: Double
        public var delta: Double
    }

    public struct DatasetSummary: Codable, Sendable {
        public var name: String?
        public var split: String?
        public var samples: Int
    }

    /// What was compared: `knn (loo)`, `zero-shot`, `agreement`.
    public var task: String
    public var verdict: Verdict?
    public var tolerance: Double
    public var samples: Int
    /// Bootstrap resamples.
    public var bootstrap: Int
    public var metrics: [ComparedMetric]
    public var agreement: AgreementSummary?
    public var baselineName: String
    public var candidateName: String
    public var baseline: JSONValue
    public var candidate: JSONValue
    public var dataset: DatasetSummary
    public var timings: Timings
    public var versions = Versions()
    /// Per class, both sides' recall (classification tasks; nil otherwise).
    public var perClass: [ClassDelta]?

    enum CodingKeys: String, CodingKey {
        case task, verdict, tolerance, samples, bootstrap, metrics, agreement
        case baselineName = "baseline_name", candidateName = "candidate_name", baseline, candidate, dataset, timings, versions
        case perClass = "per_class"
    }

    public init(task: String, tolerance: Double, samples: Int, resamples: Int, metrics: [ComparedMetric],
                agreement: AgreementSummary?, baselineName: String, candidateName: String, baseline: JSONValue,
                candidate: JSONValue, dataset: DatasetSummary, timings: Timings, perClass: [ClassDelta]? = nil) {
        self.task = task
        // FAIL if a decisive metric fails, else INCONCLUSIVE if one is inconclusive, else PASS; none without metrics.
        self.verdict = metrics.isEmpty ? nil : Verdict.combined(metrics.filter(\.decisive).map(\.verdict))
        self.tolerance = tolerance; self.samples = samples; self.bootstrap = resamples
        self.metrics = metrics; self.agreement = agreement; self.baselineName = baselineName
        self.candidateName = candidateName; self.baseline = baseline; self.candidate = candidate
        self.dataset = dataset; self.timings = timings; self.perClass = perClass
    }

    /// Whether some metric is a fraction (clustering scores), whose tolerance is the points' hundredth.
    var hasFractions: Bool { metrics.contains { Metric(name: $0.name)?.unit == .fraction } }

    public func text() -> String {
        var parts = [TerminalTable.title("Comparison: \(candidateName) vs \(baselineName)"), "",
                     TerminalTable.fields([("Task", task), ("Baseline", baselineName), ("Candidate", candidateName),
                                           ("Samples", String(samples)),
                                           ("Tolerance", String(format: "±%.2f pp", tolerance)
                                               + (hasFractions ? String(format: ", ±%.4f for NMI, ARI, V-measure", tolerance / 100) : "")
                                               + String(format: " (95%% CI of the delta, paired bootstrap ×%d)", bootstrap))])]
        if !metrics.isEmpty {
            let rows = metrics.map { m -> [String] in
                // Percentages as "81.25%" and pp; fractions (NMI, ARI) with four decimals.
                let percent = (Metric(name: m.name)?.unit ?? .percent) == .percent
                let value = { (x: Double) in percent ? String(format: "%.2f%%", x) : String(format: "%.4f", x) }
                let signed = { (x: Double) in String(format: percent ? "%+.2f" : "%+.4f", x) }
                let qualifiers = [m.direction, m.pooling].compactMap { $0 }
                return [qualifiers.isEmpty ? m.name : "\(m.name) (\(qualifiers.joined(separator: ", ")))", m.k.map(String.init) ?? "",
                        value(m.baseline), value(m.candidate), signed(m.bootstrap.delta),
                        "[\(signed(m.bootstrap.ci95.lower)), \(signed(m.bootstrap.ci95.upper))]",
                        m.mcnemar.map { String(format: "%d/%d p=%.3g", $0.baselineOnly, $0.candidateOnly, $0.pValue) } ?? "–",
                        m.verdict.rawValue + (m.decisive ? "" : " (info)")]
            }
            parts += ["", TerminalTable.table(header: ["Metric", "k", "Baseline", "Candidate", "Delta (pp)", "95% CI",
                                                       "McNemar b/c", "Verdict"], rows: rows,
                                              alignments: [.left, .right, .right, .right, .right, .right, .right, .left])]
        }
        if let agreement {
            var lines = [String(format: "Agreement: neighbour overlap@%d %.4f", agreement.k, agreement.neighbourOverlapAtK)]
            if let mean = agreement.meanCosine, let min = agreement.minCosine, let p01 = agreement.p01Cosine {
                lines[0] += String(format: ", cosine mean %.5f, min %.5f, 1st percentile %.5f", mean, min, p01)
                lines.append("Least similar: " + agreement.worstIds.prefix(5).map { String(format: "%@ (%.4f)", $0.id, $0.cosine) }.joined(separator: ", "))
            } else {
                lines[0] += " (embedding widths differ: no per-sample cosine)"
            }
            parts += [""] + lines
        }
        if let verdict {
            var line = "Verdict: \(verdict.rawValue)"
            if verdict == .inconclusive, let needed = metrics.filter({ $0.decisive && $0.verdict == .inconclusive }).compactMap(\.samplesNeeded).max() {
                line += " — about \(needed) samples would settle it at the observed variance"
            }
            parts += ["", line]
        }
        parts.append("Time: " + timings.text)
        return parts.joined(separator: "\n")
    }
}
