import Foundation

/// McNemar's exact test on paired per-sample correctness: did the two models err on different samples more often
/// one way than the other?
///
/// b = samples the baseline gets right and the candidate wrong, c = the reverse. Under the null hypothesis each
/// discordant sample is a fair coin, so p = P(|X − n/2| ≥ |b − n/2|) for X ~ Binomial(n = b + c, ½) — the two-sided
/// exact binomial test (scipy.stats.binomtest(b, b + c, 0.5)); p = 1 when b + c = 0.
public struct McNemarTest: Equatable, Sendable {
    public let baselineOnly: Int
    public let candidateOnly: Int
    public let pValue: Double

    public init(baselineCorrect: [Bool], candidateCorrect: [Bool]) {
        precondition(baselineCorrect.count == candidateCorrect.count)
        var b = 0, c = 0
        for (x, y) in zip(baselineCorrect, candidateCorrect) {
            if x && !y { b += 1 } else if y && !x { c += 1 }
        }
        self.init(baselineOnly: b, candidateOnly: c)
    }

    public init(baselineOnly b: Int, candidateOnly c: Int) {
        baselineOnly = b
        candidateOnly = c
        let n = b + c
        guard n > 0, b != c else { pValue = 1; return }
        // Symmetric null: the two tails are equal, so p = 2·P(X ≤ min(b, c)), capped at 1.
        // ln C(n, k) accumulated term by term, exact enough for any n a dataset has.
        let logHalf = -Double(n) * log(2.0)
        var logChoose = 0.0, tail = 0.0
        for k in 0...min(b, c) {
            if k > 0 { logChoose += log(Double(n - k + 1)) - log(Double(k)) }
            tail += exp(logChoose + logHalf)
        }
        pValue = min(1, 2 * tail)
    }
}

/// A paired bootstrap of the accuracy difference (candidate − baseline, in percentage points) over samples.
///
/// Each resample draws N sample indices with replacement (the same indices for both models, which keeps the
/// pairing); Δ_b = 100·(mean candidate correctness − mean baseline correctness) over the resample. The 95%
/// interval is the 2.5th and 97.5th percentile of the Δ_b, with numpy's default linear interpolation between
/// order statistics.
public struct PairedBootstrap: Equatable, Sendable {
    /// The observed difference on all samples.
    public let delta: Double
    /// The 95% percentile interval of the resampled differences.
    public let ci95: (lower: Double, upper: Double)
    /// Standard deviation (n − 1) of the resampled differences.
    public let standardDeviation: Double
    public let resamples: Int
    /// The most resamples a bootstrap draws (each is a pass over the samples; the percentiles settle long before).
    public static let maximumResamples = 1_000_000

    public static func == (a: Self, b: Self) -> Bool {
        a.delta == b.delta && a.ci95 == b.ci95 && a.standardDeviation == b.standardDeviation && a.resamples == b.resamples
    }

    /// A bootstrap summarised elsewhere (a saved report).
    public init(delta: Double, ci95: (lower: Double, upper: Double), standardDeviation: Double, resamples: Int) {
        self.delta = delta
        self.ci95 = ci95
        self.standardDeviation = standardDeviation
        self.resamples = resamples
    }

    /// Resamples drawn from `SeededGenerator(seed)`: for each resample, N draws of `index(below: N)`.
    public init(baselineCorrect: [Bool], candidateCorrect: [Bool], resamples: Int = 2000, seed: UInt64 = 0) throws {
        try Self.checkPaired(baselineCorrect.count, candidateCorrect.count)
        // Per-sample difference in {−1, 0, 1}: the resample mean of it is the paired accuracy difference.
        let difference = zip(candidateCorrect, baselineCorrect).map { Int($0 ? 1 : 0) - Int($1 ? 1 : 0) }
        let n = difference.count
        try self.init(samples: n, observed: 100 * Double(difference.reduce(0, +)) / Double(n), resamples: resamples, seed: seed) {
            100 * Double($0.reduce(0) { $0 + difference[$1] }) / Double(n)
        }
    }

    /// Resamples given explicitly (one index list per resample), e.g. the same ones numpy drew.
    public init(baselineCorrect: [Bool], candidateCorrect: [Bool], resampleIndices: [[Int]]) throws {
        try Self.checkPaired(baselineCorrect.count, candidateCorrect.count)
        let n = baselineCorrect.count
        guard !resampleIndices.isEmpty, resampleIndices.allSatisfy({ !$0.isEmpty && $0.allSatisfy { (0..<n).contains($0) } }) else {
            throw MetricError.invalidParameter(name: "resample indices", value: "\(resampleIndices.count) lists",
                                               expected: "one or more non-empty lists of sample indices below \(n)")
        }
        let difference = zip(candidateCorrect, baselineCorrect).map { Int($0 ? 1 : 0) - Int($1 ? 1 : 0) }
        self.init(observed: 100 * Double(difference.reduce(0, +)) / Double(difference.count),
                  deltas: resampleIndices.map { indices in 100 * Double(indices.reduce(0) { $0 + difference[$1] }) / Double(indices.count) })
    }

    /// The bootstrap of any paired per-sample figure: `delta(indices)` is candidate − baseline over the resample
    /// `indices` (N draws of `index(below: N)` from `SeededGenerator(seed)` each, the same draws as for accuracies),
    /// `observed` the difference on all samples.
    public init(samples n: Int, observed: Double, resamples: Int, seed: UInt64, delta: ([Int]) -> Double) throws {
        guard n >= 1 else { throw MetricError.tooFewSamples(metric: "the paired bootstrap", needed: 1, got: n) }
        guard (1...Self.maximumResamples).contains(resamples) else {
            throw MetricError.invalidParameter(name: "--bootstrap", value: "\(resamples)", expected: "1…\(Self.maximumResamples)")
        }
        var generator = SeededGenerator(seed: seed)
        var indices = [Int](repeating: 0, count: n)
        let deltas = (0..<resamples).map { _ in
            for i in 0..<n { indices[i] = generator.index(below: n) }
            return delta(indices)
        }
        self.init(observed: observed, deltas: deltas)
    }

    /// Both sides scored on the same, non-empty list of samples.
    static func checkPaired(_ a: Int, _ b: Int) throws {
        guard a == b else { throw MetricError.incompatibleSets("the two sides are scored on \(a) and \(b) samples: they must be the same samples") }
        guard a >= 1 else { throw MetricError.tooFewSamples(metric: "the paired bootstrap", needed: 1, got: 0) }
    }

    /// Summarises resampled differences: the percentile interval and their spread.
    private init(observed: Double, deltas unsorted: [Double]) {
        let deltas = unsorted.sorted()
        delta = observed
        ci95 = (Self.percentile(deltas, 2.5), Self.percentile(deltas, 97.5))
        let mean = deltas.reduce(0, +) / Double(deltas.count)
        standardDeviation = deltas.count > 1
            ? (deltas.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(deltas.count - 1)).squareRoot() : 0
        resamples = deltas.count
    }

    /// The bootstrap of one figure itself (paired against a figure of 0, so Δ = the figure).
    public static func figure(_ outcomes: SampleOutcomes, resamples: Int = 2000, seed: UInt64 = 0) throws -> PairedBootstrap {
        try PairedBootstrap(samples: outcomes.count, observed: outcomes.figure, resamples: resamples, seed: seed) {
            outcomes.figure(over: $0)
        }
    }

    /// The bootstrap of one model's accuracy itself (paired against an always-wrong baseline, so Δ = accuracy).
    public static func accuracy(_ correct: [Bool], resamples: Int = 2000, seed: UInt64 = 0) throws -> PairedBootstrap {
        try PairedBootstrap(baselineCorrect: [Bool](repeating: false, count: correct.count), candidateCorrect: correct,
                        resamples: resamples, seed: seed)
    }

    /// numpy.percentile's default ('linear'): position q/100·(n − 1) between the sorted values.
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}

/// The verdict on a difference against a tolerance band [−tolerance, +tolerance] (percentage points).
public enum Verdict: String, Codable, Sendable, Comparable {
    /// The whole 95% interval lies within the band.
    case pass = "PASS"
    /// Neither: more samples are needed to decide.
    case inconclusive = "INCONCLUSIVE"
    /// The whole 95% interval lies outside the band.
    case fail = "FAIL"

    /// The verdict on a difference over `samples` samples of a figure whose whole is `scale` (100 for a percentage,
    /// 1 for a fraction). When one sample moves the figure by more than the tolerance (scale/N > tolerance), no
    /// interval can settle it: INCONCLUSIVE.
    public init(ci95: (lower: Double, upper: Double), tolerance: Double, samples: Int, scale: Double = 100) {
        if samples < 1 || scale / Double(samples) > tolerance { self = .inconclusive }
        else { self.init(ci95: ci95, tolerance: tolerance) }
    }

    public init(ci95: (lower: Double, upper: Double), tolerance: Double) {
        if ci95.lower >= -tolerance && ci95.upper <= tolerance { self = .pass }
        else if ci95.upper < -tolerance || ci95.lower > tolerance { self = .fail }
        else { self = .inconclusive }
    }

    /// The worst of several verdicts: any FAIL fails, else any INCONCLUSIVE is inconclusive.
    public static func combined(_ verdicts: [Verdict]) -> Verdict { verdicts.max() ?? .pass }

    public static func < (a: Verdict, b: Verdict) -> Bool { a.rank < b.rank }
    private var rank: Int { self == .pass ? 0 : self == .inconclusive ? 1 : 2 }

    /// Process exit code: 0 PASS, 1 FAIL, 3 INCONCLUSIVE.
    public var exitCode: Int32 { self == .pass ? 0 : self == .fail ? 1 : 3 }

    /// Samples that would make the interval fit inside the band at the observed spread, assuming its width shrinks as
    /// 1/√N: ⌈N · (1.96·sd / (tolerance − |delta|))²⌉; nil when |delta| ≥ tolerance (no sample count can pass it).
    public static func samplesNeeded(samples: Int, delta: Double, standardDeviation: Double, tolerance: Double) -> Int? {
        guard tolerance > abs(delta) else { return nil }
        let estimate = Double(samples) * pow(1.96 * standardDeviation / (tolerance - abs(delta)), 2)
        return estimate.isFinite ? Int(min(estimate, 1e15).rounded(.up)) : nil
    }

    /// The fewest samples at which one sample moves a figure by no more than `tolerance`: ⌊scale / tolerance⌋ + 1
    /// (below it no verdict is possible, see `init(ci95:tolerance:samples:scale:)`).
    public static func fewestSamples(tolerance: Double, scale: Double = 100) -> Int { Int(min(scale / tolerance, 1e15).rounded(.down)) + 1 }
}
