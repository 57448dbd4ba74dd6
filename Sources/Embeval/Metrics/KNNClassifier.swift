import Foundation

/// How the query set meets the reference set.
public enum KNNProtocol: String, CaseIterable, Codable, Sendable {
    /// The seed's: every sample against all the others of the same set (itself excluded).
    case leaveOneOut = "loo"
    /// DINO's: test samples against a separate train set.
    case trainTest = "train-test"

    /// The protocol's default neighbour count and vote weighting.
    public var defaultK: Int { self == .leaveOneOut ? 10 : 20 }
    public var defaultWeighting: VoteWeighting { self == .leaveOneOut ? .similarity : .exp }
}

/// What a neighbour's vote weighs.
public enum VoteWeighting: String, CaseIterable, Codable, Sendable {
    /// The cosine similarity itself (the seed's).
    case similarity
    /// exp(similarity / T) (DINO's, T = 0.07 by default), computed as exp((similarity − s₁) / T) with s₁ the query's
    /// nearest similarity: the same ranking (every weight of a query scaled by one factor), and no overflow to ∞ at
    /// small T.
    case exp
    /// 1 for every neighbour: plain majority.
    case uniform

    /// The vote of a neighbour at `similarity` for a query whose nearest neighbour is at `nearest`.
    func weight(_ similarity: Float, nearest: Float, temperature: Double) -> Double {
        switch self {
        case .similarity: Double(similarity)
        case .exp: Foundation.exp((Double(similarity) - Double(nearest)) / temperature)
        case .uniform: 1
        }
    }
}

/// kNN accuracy of one (k, weighting) configuration, with each query's outcome kept for paired statistics.
public struct KNNResult: Equatable, Sendable {
    public let k: Int
    public let weighting: VoteWeighting
    /// Top-1 / top-5 accuracy in percent.
    public let top1Accuracy: Double
    public let top5Accuracy: Double
    /// Per query: the top-ranked class, and whether the true class was among the first five.
    public let predictions: [Int]
    public let top5Hits: [Bool]
}

/// Weighted k-nearest-neighbour classification of embeddings.
///
/// Rows are L2-normalised, so the inner product is the cosine similarity. For each query the k most similar
/// references vote for their class with `weighting`. The classes present among the k neighbours are ranked by
/// summed weight, descending, ties broken by the smaller class id; top-1 is the first; a query is a top-5 hit iff
/// its true class is among the first five ranked classes. Accuracy = 100 · hits / queries.
public struct KNNClassifier: Sendable {
    public var ks: [Int]
    public var weighting: VoteWeighting
    /// T in exp(sim / T); used by `.exp` only.
    public var temperature: Double

    public init(ks: [Int], weighting: VoteWeighting, temperature: Double = 0.07) {
        precondition(!ks.isEmpty && ks.allSatisfy { $0 >= 1 }, "KNNClassifier: k must be ≥ 1")
        self.ks = ks
        self.weighting = weighting
        self.temperature = temperature
    }

    /// The largest k that `candidates` references allow, for each requested k (capped values are the caller's
    /// to warn about).
    public func effectiveKs(candidates: Int) -> [Int] { ks.map { min($0, candidates) } }

    /// Peak bytes per (query, neighbour) of a search and its vote, as measured (`knn` of 20,000 rows at k 10 and
    /// 500: 11), rounded up.
    static let bytesPerNeighbour = 16

    /// Refuses a search of `queries` among `candidates` whose neighbour lists would take more than half of
    /// `memoryBytes`, naming the largest k that fits.
    public func checkMemory(queries: Int, candidates: Int, memoryBytes: Int = ProcessMemory.limit) throws {
        try MetricError.checkNeighbourLists(option: "--k", points: queries, neighbours: effectiveKs(candidates: candidates).max() ?? 1,
                                            bytesPerNeighbour: Self.bytesPerNeighbour, memoryBytes: memoryBytes)
    }

    /// Leave-one-out over one labelled set (in memory, or mapped from disk: it is read a block at a time).
    public func evaluate(_ set: some RowBlocks, labels: [Int]) -> [KNNResult] {
        vote(neighbours(of: set, labels: labels), queryLabels: labels, referenceLabels: labels)
    }

    /// Test queries against a separate labelled train set.
    public func evaluate(queries: some RowBlocks, labels: [Int], references: some RowBlocks, referenceLabels: [Int]) -> [KNNResult] {
        vote(neighbours(of: queries, labels: labels, references: references, referenceLabels: referenceLabels),
             queryLabels: labels, referenceLabels: referenceLabels)
    }

    /// The largest k's neighbours of every query — rows `queries` of the set for leave-one-out (default: all), or
    /// every row of `queries` against `references`: what `vote` needs, and what a query shard writes.
    public func neighbours(of set: some RowBlocks, labels: [Int], queries: Range<Int>? = nil) -> NearestNeighbors {
        precondition(set.rows == labels.count && set.rows >= 2)
        let ks = effectiveKs(candidates: set.rows - 1)
        guard let rows = queries, rows != 0..<set.rows else {
            return NearestNeighbors(leaveOneOut: set, k: ks.max() ?? 1, normalizing: true)
        }
        return NearestNeighbors(queries: RowSlice(base: set, range: rows), references: set, k: ks.max() ?? 1, excludingSelf: true,
                                queryOffset: rows.lowerBound, normalizing: true)
    }

    public func neighbours(of queries: some RowBlocks, labels: [Int], references: some RowBlocks, referenceLabels: [Int]) -> NearestNeighbors {
        precondition(queries.rows == labels.count && references.rows == referenceLabels.count && references.rows >= 1)
        let ks = effectiveKs(candidates: references.rows)
        return NearestNeighbors(queries: queries, references: references, k: ks.max() ?? 1, excludingSelf: false, normalizing: true)
    }

    /// The vote of each query's first k neighbours for every k (capped to the `neighbours.k` found).
    public func vote(_ neighbours: NearestNeighbors, queryLabels: [Int], referenceLabels: [Int]) -> [KNNResult] {
        vote(neighbours, ks: ks.map { min($0, neighbours.k) }, queryLabels: queryLabels, referenceLabels: referenceLabels)
    }

    /// The vote of each query's first k neighbours, for every k.
    func vote(_ neighbours: NearestNeighbors, ks: [Int], queryLabels: [Int], referenceLabels: [Int]) -> [KNNResult] {
        let classCount = (max(queryLabels.max() ?? 0, referenceLabels.max() ?? 0)) + 1
        let m = neighbours.queryCount, kMax = neighbours.k
        var predictions = [[Int]](repeating: [Int](repeating: -1, count: m), count: ks.count)
        var top5 = [[Bool]](repeating: [Bool](repeating: false, count: m), count: ks.count)
        var totals = [Double](repeating: 0, count: classCount)
        var present = [Int]()
        for q in 0..<m {
            let nearest = neighbours.similarities[q * kMax]
            for (slot, k) in ks.enumerated() {
                present.removeAll(keepingCapacity: true)
                for t in 0..<k {
                    let ref = Int(neighbours.indices[q * kMax + t])
                    let c = referenceLabels[ref]
                    if totals[c] == 0 && !present.contains(c) { present.append(c) }
                    totals[c] += weighting.weight(neighbours.similarities[q * kMax + t], nearest: nearest, temperature: temperature)
                }
                present.sort { totals[$0] != totals[$1] ? totals[$0] > totals[$1] : $0 < $1 }
                predictions[slot][q] = present[0]
                top5[slot][q] = present.prefix(5).contains(queryLabels[q])
                for c in present { totals[c] = 0 }
            }
        }
        return ks.indices.map { slot in
            let hits1 = zip(predictions[slot], queryLabels).filter { $0 == $1 }.count
            let hits5 = top5[slot].filter { $0 }.count
            return KNNResult(k: ks[slot], weighting: weighting,
                             top1Accuracy: 100 * Double(hits1) / Double(max(m, 1)),
                             top5Accuracy: 100 * Double(hits5) / Double(max(m, 1)),
                             predictions: predictions[slot], top5Hits: top5[slot])
        }
    }
}
