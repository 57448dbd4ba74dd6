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
}

/// The outcome of `embeval compare`.
public struct ComparisonReport: Report {
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

    enum CodingKeys: String, CodingKey {
        case task, verdict, tolerance, samples, bootstrap, metrics, agreement
        case baselineName = "baseline_name", candidateName = "candidate_name", baseline, candidate, dataset, timings, versions
    }

    public init(task: String, tolerance: Double, samples: Int, resamples: Int, metrics: [ComparedMetric],
                agreement: AgreementSummary?, baselineName: String, candidateName: String, baseline: JSONValue,
                candidate: JSONValue, dataset: DatasetSummary, timings: Timings) {
        self.task = task
        // FAIL if a decisive metric fails, else INCONCLUSIVE if one is inconclusive, else PASS; none without metrics.
        self.verdict = metrics.isEmpty ? nil : Verdict.combined(metrics.filter(\.decisive).map(\.verdict))
        self.tolerance = tolerance; self.samples = samples; self.bootstrap = resamples
        self.metrics = metrics; self.agreement = agreement; self.baselineName = baselineName
        self.candidateName = candidateName; self.baseline = baseline; self.candidate = candidate
        self.dataset = dataset; self.timings = timings
    }

    public func text() -> String {
        var parts = [TerminalTable.title("Comparison: \(candidateName) vs \(baselineName)"), "",
                     TerminalTable.fields([("Task", task), ("Baseline", baselineName), ("Candidate", candidateName),
                                           ("Samples", String(samples)),
                                           ("Tolerance", String(format: "±%.2f pp (95%% CI of the delta, paired bootstrap ×%d)", tolerance, bootstrap))])]
        if !metrics.isEmpty {
            let rows = metrics.map { m -> [String] in
                [m.pooling.map { "\(m.name) (\($0))" } ?? m.name, m.k.map(String.init) ?? "",
                 String(format: "%.2f%%", m.baseline), String(format: "%.2f%%", m.candidate),
                 String(format: "%+.2f", m.bootstrap.delta),
                 String(format: "[%+.2f, %+.2f]", m.bootstrap.ci95.lower, m.bootstrap.ci95.upper),
                 String(format: "%d/%d p=%.3g", m.mcnemar.baselineOnly, m.mcnemar.candidateOnly, m.mcnemar.pValue),
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
