import Foundation

/// Outliers by their distance to their neighbours, as cleanlab's `Datalab` flags them from features: each
/// sample's mean cosine distance to its k nearest other samples; flagged above Q3 + 1.7 · IQR of those means
/// (cleanlab's threshold 0.37037: 1/0.37037 − 1 = 1.7). The score is cleanlab's exp(−mean / median of the means):
/// 1 for a sample in a crowd, near 0 for one far from everything.
public struct Outliers: Sendable {
    /// Per sample, the mean cosine distance (1 − cos, clipped to [0, 2]) to its k nearest other samples.
    public let meanDistance: [Double]
    /// Q3 + scale · (Q3 − Q1) of `meanDistance` (numpy's linear percentiles).
    public let threshold: Double
    /// Flagged samples, by mean distance descending (ties: smaller index first).
    public let flagged: [Int]
    /// cleanlab's `outlier_score` per sample.
    public let score: [Double]

    /// cleanlab's default: 1 / 0.37037 − 1.
    public static let iqrScale = 1 / 0.37037 - 1

    public init(_ neighbours: NearestNeighbors, iqrScale: Double = Outliers.iqrScale) {
        guard neighbours.k > 0, neighbours.queryCount > 0 else {
            (meanDistance, threshold, flagged, score) = ([], .nan, [], [])
            return
        }
        let n = neighbours.queryCount, k = neighbours.k
        let means = (0..<n).map { i in
            (0..<k).reduce(0.0) { $0 + cosineDistance(neighbours.similarities[i * k + $1]) } / Double(k)
        }
        meanDistance = means
        let sorted = means.sorted()
        let q1 = PairedBootstrap.percentile(sorted, 25), q3 = PairedBootstrap.percentile(sorted, 75)
        let cut = q3 + iqrScale * (q3 - q1)
        threshold = cut
        flagged = means.indices.filter { means[$0] > cut }
            .sorted { means[$0] != means[$1] ? means[$0] > means[$1] : $0 < $1 }
        let scale = max(median(means), 100 * Double.ulpOfOne)
        // cleanlab's `correct_precision_errors`: a mean distance within rounding of 0 scores exactly 1.
        score = means.map { $0 < 100 * Double.ulpOfOne / 2 ? 1 : exp(-$0 / scale) }
    }
}

/// FiftyOne Brain's uniqueness: the weighted mean (0.6, 0.3, 0.1) of the cosine distances to the 3 nearest other
/// samples, divided by its maximum over the set; 1 for every sample when there are 3 or fewer.
public func uniqueness(_ neighbours: NearestNeighbors) -> [Double] {
    let n = neighbours.queryCount, k = neighbours.k
    guard n > 3, k >= 3 else { return [Double](repeating: 1, count: n) }
    let weights = [0.6, 0.3, 0.1]
    let raw = (0..<n).map { i in
        (0..<3).reduce(0.0) { $0 + cosineDistance(neighbours.similarities[i * k + $1]) * weights[$1] } / 3
    }
    let top = raw.max() ?? 0
    return top > 0 ? raw.map { $0 / top } : raw
}

/// 1 − cos, clipped to [0, 2] as scikit-learn's `cosine_distances`.
func cosineDistance(_ similarity: Float) -> Double {
    min(max(1 - Double(similarity), 0), 2)
}

/// numpy's `median`: the middle value, or the mean of the two middle ones.
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted(), m = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
}
