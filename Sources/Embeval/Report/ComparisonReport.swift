import Foundation

/// One metric of a baseline/candidate comparison: both values, the paired difference with its bootstrap interval,
/// McNemar's test on the per-sample outcomes, and the verdict against the tolerance.
public struct ComparedMetric: Sendable {
    public let name: String
    public let k: Int?
    public let pooling: String?
    public let baseline: Double
    public let candidate: Double
    public let bootstrap: PairedBootstrap
    public let mcnemar: McNemarTest
    public let verdict: Verdict
    /// Samples that would likely settle an INCONCLUSIVE verdict (nil otherwise, or when none can).
    public let samplesNeeded: Int?
    /// Whether this metric decides the overall verdict (top-1 metrics do; top-5 is reported for information).
    public let decisive: Bool

    public init(name: String, k: Int? = nil, pooling: String? = nil, baselineCorrect: [Bool], candidateCorrect: [Bool],
                tolerance: Double, resamples: Int, seed: UInt64, decisive: Bool) {
        let n = Double(baselineCorrect.count)
        self.name = name
        self.k = k
        self.pooling = pooling
        self.baseline = 100 * Double(baselineCorrect.filter { $0 }.count) / n
        self.candidate = 100 * Double(candidateCorrect.filter { $0 }.count) / n
        self.bootstrap = PairedBootstrap(baselineCorrect: baselineCorrect, candidateCorrect: candidateCorrect,
                                         resamples: resamples, seed: seed)
        self.mcnemar = McNemarTest(baselineCorrect: baselineCorrect, candidateCorrect: candidateCorrect)
        self.verdict = Verdict(ci95: bootstrap.ci95, tolerance: tolerance)
        self.samplesNeeded = verdict == .inconclusive
            ? Verdict.samplesNeeded(samples: baselineCorrect.count, delta: bootstrap.delta,
                                    standardDeviation: bootstrap.standardDeviation, tolerance: tolerance)
            : nil
        self.decisive = decisive
    }

    var json: JSONValue {
        var fields: [(String, JSONValue)] = [("name", .string(name))]
        if let k { fields.append(("k", .int(k))) }
        if let pooling { fields.append(("pooling", .string(pooling))) }
        fields += [("baseline", .number(baseline)), ("candidate", .number(candidate)), ("delta", .number(bootstrap.delta)),
                   ("ci95", .array([.number(bootstrap.ci95.lower), .number(bootstrap.ci95.upper)])),
                   ("mcnemar", .object([("b_only", .int(mcnemar.baselineOnly)), ("c_only", .int(mcnemar.candidateOnly)),
                                        ("p_value", .number(mcnemar.pValue))])),
                   ("verdict", .string(verdict.rawValue)), ("decisive", .bool(decisive)),
                   ("samples_needed", samplesNeeded.map { .int($0) } ?? .null)]
        return .object(fields)
    }
}

/// The outcome of `embeval compare`.
public struct ComparisonReport: Sendable {
    public var task: String
    public var tolerance: Double
    public var samples: Int
    public var resamples: Int
    public var metrics: [ComparedMetric]
    public var agreement: EmbeddingAgreement?
    public var baselineName: String
    public var candidateName: String
    public var baseline: JSONValue
    public var candidate: JSONValue
    public var dataset: JSONValue
    public var timings: [(String, Double)]

    public init(task: String, tolerance: Double, samples: Int, resamples: Int, metrics: [ComparedMetric],
                agreement: EmbeddingAgreement?, baselineName: String, candidateName: String, baseline: JSONValue,
                candidate: JSONValue, dataset: JSONValue, timings: [(String, Double)]) {
        self.task = task; self.tolerance = tolerance; self.samples = samples; self.resamples = resamples
        self.metrics = metrics; self.agreement = agreement; self.baselineName = baselineName
        self.candidateName = candidateName; self.baseline = baseline; self.candidate = candidate
        self.dataset = dataset; self.timings = timings
    }

    /// FAIL if a decisive metric fails, else INCONCLUSIVE if one is inconclusive, else PASS (agreement-only: PASS).
    public var verdict: Verdict { Verdict.combined(metrics.filter(\.decisive).map(\.verdict)) }

    public func text() -> String {
        var parts = [TerminalTable.title("Comparison: \(candidateName) vs \(baselineName)"), "",
                     TerminalTable.fields([("Task", task), ("Baseline", baselineName), ("Candidate", candidateName),
                                           ("Samples", String(samples)),
                                           ("Tolerance", String(format: "±%.2f pp (95%% CI of the delta, paired bootstrap ×%d)", tolerance, resamples))])]
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
            var lines = [String(format: "Agreement: neighbour overlap@%d %.4f", agreement.k, agreement.neighbourOverlap)]
            if let c = agreement.cosines {
                lines[0] += String(format: ", cosine mean %.5f, min %.5f, 1st percentile %.5f", c.mean, c.min, c.p01)
                lines.append("Least similar: " + c.worst.prefix(5).map { String(format: "%@ (%.4f)", $0.id, $0.cosine) }.joined(separator: ", "))
            } else {
                lines[0] += " (embedding widths differ: no per-sample cosine)"
            }
            parts += [""] + lines
        }
        if !metrics.isEmpty {
            var line = "Verdict: \(verdict.rawValue)"
            if verdict == .inconclusive, let needed = metrics.filter({ $0.decisive && $0.verdict == .inconclusive }).compactMap(\.samplesNeeded).max() {
                line += " — about \(needed) samples would settle it at the observed variance"
            }
            parts += ["", line]
        }
        parts.append("Time: " + timings.map { String(format: "%@ %.2fs", $0.0, $0.1) }.joined(separator: ", "))
        return parts.joined(separator: "\n")
    }

    public func json() -> JSONValue {
        var agreementJSON: JSONValue = .null
        if let a = agreement {
            agreementJSON = .object([
                ("mean_cosine", a.cosines.map { .number($0.mean) } ?? .null),
                ("min_cosine", a.cosines.map { .number($0.min) } ?? .null),
                ("p01_cosine", a.cosines.map { .number($0.p01) } ?? .null),
                ("neighbour_overlap_at_k", .number(a.neighbourOverlap)), ("k", .int(a.k)),
                ("worst_ids", .array((a.cosines?.worst ?? []).map { .object([("id", .string($0.id)), ("cosine", .number($0.cosine))]) })),
            ])
        }
        return .object([
            ("task", .string(task)), ("verdict", metrics.isEmpty ? .null : .string(verdict.rawValue)),
            ("tolerance", .number(tolerance)), ("samples", .int(samples)), ("bootstrap", .int(resamples)),
            ("metrics", .array(metrics.map(\.json))), ("agreement", agreementJSON),
            ("baseline", baseline), ("candidate", candidate), ("dataset", dataset),
            ("timings", .object(timings.map { ($0.0, .number(($0.1 * 1000).rounded() / 1000)) })),
            ("versions", .object([("embeval", .string(EmbevalInfo.version))])),
        ])
    }
}
