import Foundation

/// Draws the few-shot train sets: for try t, the train samples shuffled (seeded by the seed and t) and the first n
/// of each class kept — MIEB's undersampling, DINOv2's `--n-per-class-list` / `--n-tries`. Only train samples are
/// ever drawn.
public struct FewShotSampler: Sendable {
    /// Samples per class, each a separate experiment.
    public var shots: [Int]
    /// Draws per shot count.
    public var tries: Int
    /// The most draws of each shot count: enough for any spread (DINOv2 reports 5), few enough to run.
    public static let maximumTries = 10_000
    public var seed: UInt64

    public init(shots: [Int], tries: Int, seed: UInt64) throws {
        self.shots = try Self.checked(shots: shots, tries: tries) ?? []
        self.tries = tries
        self.seed = seed
    }

    /// The shot counts as a protocol's settings keep them: positive, duplicates dropped (order kept), with a
    /// positive number of tries; nil for no few-shot run. Shared by kNN and the linear probe, checked before any
    /// embedding runs.
    public static func checked(shots: [Int]?, tries: Int) throws -> [Int]? {
        if let shots, shots.isEmpty || shots.contains(where: { $0 < 1 }) {
            throw MetricError.invalidParameter(name: "--shots", value: "\(shots)", expected: "positive integers")
        }
        guard (1...maximumTries).contains(tries) else {
            throw MetricError.invalidParameter(name: "--tries", value: "\(tries)", expected: "1…\(maximumTries)")
        }
        var seen = Set<Int>()
        return shots?.filter { seen.insert($0).inserted }
    }

    /// Checks every class of `labels` has enough samples for the largest shot count; names the first that has not.
    public func validate(_ labels: [Int], classes: [String]) throws {
        var counts = [Int: Int]()
        for l in labels { counts[l, default: 0] += 1 }
        let largest = shots.max() ?? 1
        if let short = counts.keys.sorted().first(where: { (counts[$0] ?? 0) < largest }) {
            let name = short < classes.count ? "'\(classes[short])'" : "\(short)"
            throw MetricError.invalidParameter(name: "--shots", value: "\(largest)",
                                               expected: "at most the train samples of every class (class \(name) has \(counts[short] ?? 0))")
        }
        guard counts.count >= 2 else { throw MetricError.tooFewClasses(metric: "few-shot", needed: 2, got: counts.count, what: "train set") }
    }

    /// The train rows of try `attempt` with `n` per class, in shuffled order.
    public func draw(_ labels: [Int], n: Int, attempt: Int) -> [Int] {
        var generator = SeededGenerator(seed: seed &+ UInt64(attempt) &* 0x9E37_79B9_7F4A_7C15)
        var taken = [Int: Int]()
        return generator.permutation(labels.count).filter { i in
            guard taken[labels[i], default: 0] < n else { return false }
            taken[labels[i], default: 0] += 1
            return true
        }
    }
}

/// A figure's mean and standard deviation (numpy's default, ddof = 0) over few-shot tries.
public struct MeanAndSpread: Codable, Sendable, Equatable {
    public var mean: Double
    public var std: Double

    public init(_ values: [Double]) {
        let n = Double(max(values.count, 1))
        let m = values.reduce(0, +) / n
        mean = m
        std = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n).squareRoot()
    }
}
