import Foundation

/// One metric of a baseline/candidate comparison: both values, the paired difference with its bootstrap interval,
/// McNemar's test on the per-sample outcomes, and the verdict against the tolerance.
public struct ComparedMetric: Codable, Sendable {
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
        self.verdict = Verdict(ci95: bootstrap.ci95, tolerance: tolerance, samples: baselineCorrect.count)
        self.samplesNeeded = verdict == .inconclusive
            ? Verdict.samplesNeeded(samples: baselineCorrect.count, delta: bootstrap.delta,
                                    standardDeviation: bootstrap.standardDeviation, tolerance: tolerance)
                .map { max($0, Verdict.fewestSamples(tolerance: tolerance)) }
            : nil
        self.decisive = decisive
    }

    enum CodingKeys: String, CodingKey {
        case name, k, pooling, baseline, candidate, delta, ci95, standardDeviation = "standard_deviation", resamples
        case mcnemar, verdict, decisive, samplesNeeded = "samples_needed"
    }
    enum McNemarKeys: String, CodingKey { case bOnly = "b_only", cOnly = "c_only", pValue = "p_value" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        if let k { try c.encode(k, forKey: .k) }
        if let pooling { try c.encode(pooling, forKey: .pooling) }
        try c.encode(baseline, forKey: .baseline)
        try c.encode(candidate, forKey: .candidate)
        try c.encode(bootstrap.delta, forKey: .delta)
        try c.encode([bootstrap.ci95.lower, bootstrap.ci95.upper], forKey: .ci95)
        var m = c.nestedContainer(keyedBy: McNemarKeys.self, forKey: .mcnemar)
        try m.encode(mcnemar.baselineOnly, forKey: .bOnly)
        try m.encode(mcnemar.candidateOnly, forKey: .cOnly)
        try m.encode(mcnemar.pValue, forKey: .pValue)
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
        baseline = try c.decode(Double.self, forKey: .baseline)
        candidate = try c.decode(Double.self, forKey: .candidate)
        let ci = try c.decode([Double].self, forKey: .ci95)
        guard ci.count == 2 else { throw DecodingError.dataCorruptedError(forKey: .ci95, in: c, debugDescription: "expected [lower, upper]") }
        bootstrap = PairedBootstrap(delta: try c.decode(Double.self, forKey: .delta), ci95: (ci[0], ci[1]),
                                    standardDeviation: try c.decodeIfPresent(Double.self, forKey: .standardDeviation) ?? .nan,
                                    resamples: try c.decodeIfPresent(Int.self, forKey: .resamples) ?? 0)
        let m = try c.nestedContainer(keyedBy: McNemarKeys.self, forKey: .mcnemar)
        mcnemar = McNemarTest(baselineOnly: try m.decode(Int.self, forKey: .bOnly), candidateOnly: try m.decode(Int.self, forKey: .cOnly))
        verdict = try c.decode(Verdict.self, forKey: .verdict)
        decisive = try c.decode(Bool.self, forKey: .decisive)
        samplesNeeded = try c.decodeIfPresent(Int.self, forKey: .samplesNeeded)
    }
}
