import Foundation

/// Near-duplicate samples, seen two ways.
///
/// - Absolute: every pair with cosine ≥ a threshold (FiftyOne's `find_duplicates` reads a cosine *distance*
///   threshold the same way), grouped by single linkage — exact over all pairs, not only among the k nearest.
/// - Relative (cleanlab's `Datalab`): a sample's neighbours among its k nearest closer than 0.13 × the median
///   nearest-neighbour distance of the set, made symmetric. It adapts to how spread the set is, so it flags some
///   pairs in any set, duplicates or not.
public struct NearDuplicates: Sendable {
    /// The absolute view's pairs and groups.
    public let pairs: SimilarPairs
    /// Median over samples of the cosine distance to the nearest other sample (at least 10⁻⁶, as cleanlab).
    public let medianNearestDistance: Double
    /// cleanlab's radius: `relativeFactor` × `medianNearestDistance`.
    public let relativeRadius: Double
    /// Per sample, cleanlab's `near_duplicate_sets` (ascending).
    public let relativeSets: [[Int]]
    /// Samples in any relative set, ascending: cleanlab's `is_near_duplicate_issue`.
    public let relativeFlagged: [Int]
    /// cleanlab's `near_duplicate_score`: 1 − exp(−d / median), d the nearest-neighbour distance (0 when d ≈ 0).
    public let score: [Double]

    /// cleanlab's default factor.
    public static let relativeFactor = 0.13

    public init(pairs: SimilarPairs, neighbours: NearestNeighbors, relativeFactor: Double = NearDuplicates.relativeFactor) {
        self.pairs = pairs
        let n = neighbours.queryCount, k = neighbours.k
        let nearest = (0..<n).map { cosineDistance(neighbours.similarities[$0 * k]) }
        medianNearestDistance = max(median(nearest), 1e-6)
        relativeRadius = relativeFactor * medianNearestDistance
        // Each close pair in both rows' sets (made symmetric), then each set sorted without repeats: linear in the
        // pairs, where looking each one up in the other row's set was O(n·k²) on a collapsed set with a large k.
        var sets = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            for j in 0..<k where cosineDistance(neighbours.similarities[i * k + j]) < relativeRadius {
                let other = Int(neighbours.indices[i * k + j])
                sets[i].append(other)
                sets[other].append(i)
            }
        }
        let unique = sets.map { set in
            let sorted = set.sorted()
            return sorted.indices.filter { $0 == 0 || sorted[$0] != sorted[$0 - 1] }.map { sorted[$0] }
        }
        relativeSets = unique
        relativeFlagged = (0..<n).filter { !unique[$0].isEmpty }
        let temperature = 1 / medianNearestDistance
        score = nearest.map { abs($0) <= 1e-8 ? 0 : 1 - exp(-temperature * $0) }
    }
}
