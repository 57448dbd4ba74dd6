import Foundation

/// One metric of a baseline/candidate comparison: both values, the paired difference with its bootstrap interval,
/// McNemar's test where the per-sample outcomes are right or wrong, and the verdict against the tolerance.
public struct ComparedMetric: Codable, Sendable {
    public let name: String
    public let k: Int?
    public let pooling: String?
    /// Retrieval's direction (`text-to-image`); nil otherwise.
    public let direction: String?
    public let baseline: Double
    public let candidate: Double
    public let bootstrap: PairedBootstrap
    /// Nil for figures that are not a share of right answers (NMI, mAP@R).
    public let mcnemar: McNemarTest?
    public let verdict: Verdict
    /// Samples that would likely settle an INCONCLUSIVE verdict (nil otherwise, or when none can).
    public let samplesNeeded: Int?
    /// Whether this metric decides the overall verdict (top-1 metrics do; top-5 is reported for information).
    public let decisive: Bool

    public init(name: String, k: Int? = nil, pooling: String? = nil, baselineCorrect: [Bool], candidateCorrect: [Bool],
                tolerance: Double, resamples: Int, seed: UInt64, decisive: Bool) throws {
        try self.init(name: name, k: k, pooling: pooling, baseline: .correct(baselineCorrect), candidate: .correct(candidateCorrect),
                  scale: 100, tolerance: tolerance, resamples: resamples, seed: seed, decisive: decisive)
    }

    /// Pairs two sides' outcomes on the same samples. `scale` is the figure's whole (100 for percentages, 1 for
    /// fractions such as NMI); `tolerance` is in the figure's own unit.
    public init(name: String, k: Int? = nil, pooling: String? = nil, direction: String? = nil,
                baseline a: SampleOutcomes, candidate b: SampleOutcomes, scale: Double,
                tolerance: Double, resamples: Int, seed: UInt64, decisive: Bool) throws {
        try PairedBootstrap.checkPaired(a.count, b.count)
        self.name = name
        self.k = k
        self.pooling = pooling
        self.direction = direction
        self.baseline = a.figure
        self.candidate = b.figure
        if case .correct(let x) = a, case .correct(let y) = b {
            bootstrap = try PairedBootstrap(baselineCorrect: x, candidateCorrect: y, resamples: resamples, seed: seed)
            mcnemar = McNemarTest(baselineCorrect: x, candidateCorrect: y)
        } else {
            bootstrap = try PairedBootstrap(samples: a.count, observed: b.figure - a.figure, resamples: resamples, seed: seed) {
                b.figure(over: $0) - a.figure(over: $0)
            }
            mcnemar = nil
        }
        self.verdict = Verdict(ci95: bootstrap.ci95, tolerance: tolerance, samples: a.count, scale: scale)
        self.samplesNeeded = verdict == .inconclusive
            ? Verdict.samplesNeeded(samples: a.count, delta: bootstrap.delta,
                                    standardDeviation: bootstrap.standardDeviation, tolerance: tolerance)
                .map { max($0, Verdict.fewestSamples(tolerance: tolerance, scale: scale)) }
            : nil
        self.decisive = decisive
    }

    enum CodingKeys: String, CodingKey {
        case name, k, pooling, direction, baseline, candidate, delta, ci95, standardDeviation = "standard_deviation", resamples
        case mcnemar, verdict, decisive, samplesNeeded = "samples_needed"
    }
    enum McNemarKeys: String, CodingKey { case bOnly = "b_only", cOnly = "c_only", pValue = "p_value" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        if let k { try c.encode(k, forKey: .k) }
        if let pooling { try c.encode(pooling, forKey: .pooling) }
        try c.encodeIfPresent(direction, forKey: .direction)
        try c.encode(baseline, forKey: .baseline)
        try c.encode(candidate, forKey: .candidate)
        try c.encode(bootstrap.delta, forKey: .delta)
        try c.encode([bootstrap.ci95.lower, bootstrap.ci95.upper], forKey: .ci95)
        if let mcnemar {
            var m = c.nestedContainer(keyedBy: McNemarKeys.self, forKey: .mcnemar)
            try m.encode(mcnemar.baselineOnly, forKey: .bOnly)
            try m.encode(mcnemar.candidateOnly, forKey: .cOnly)
            try m.encode(mcnemar.pValue, forKey: .pValue)
        }
        try c.encode(verdict, forKey: .verdict)
        try c.encode(decisive, forKey: .decisive)
        try c.encodeIfPresent(samplesNeeded, forKey: .samplesNeeded)
        try c.encode(bootstrap.standardDeviation, forKey: .standardDeviation)
        try c.encode(bootstrap.resamples, forKey: .resamples)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        k = try c.decodeIfPresent(Int.self, forKey: .k)
        pooling = try c.decodeIfPresent(String.self, forKey: .pooling)
        direction = try c.decodeIfPresent(String.self, forKey: .direction)
        baseline = try c.decode(Double.self, forKey: .baseline)
        candidate = try c.decode(Double.self, forKey: .candidate)
        let ci = try c.decode([Double].self, forKey: .ci95)
        guard ci.count == 2 else { throw DecodingError.dataCorruptedError(forKey: .ci95, in: c, debugDescription: "expected [lower, upper]") }
        bootstrap = PairedBootstrap(delta: try c.decode(Double.self, forKey: .delta), ci95: (ci[0], ci[1]),
                                    standardDeviation: try c.decodeIfPresent(Double.self, forKey: .standardDeviation) ?? .nan,
                                    resamples: try c.decodeIfPresent(Int.self, forKey: .resamples) ?? 0)
        if c.contains(.mcnemar) {
            let m = try c.nestedContainer(keyedBy: McNemarKeys.self, forKey: .mcnemar)
            mcnemar = McNemarTest(baselineOnly: try m.decode(Int.self, forKey: .bOnly), candidateOnly: try m.decode(Int.self, forKey: .cOnly))
        } else {
            mcnemar = nil
        }
        verdict = try c.decode(Verdict.self, forKey: .verdict)
        decisive = try c.decode(Bool.self, forKey: .decisive)
        samplesNeeded = try c.decodeIfPresent(Int.self, forKey: .samplesNeeded)
    }
}
