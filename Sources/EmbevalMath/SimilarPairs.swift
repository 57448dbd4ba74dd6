import Foundation

/// Every pair of rows at least `minimumSimilarity` apart (cosine of normalised rows), found by the same blocked
/// search as `NearestNeighbors`, and the groups they link (connected components, single linkage).
///
/// Groups are exact at any size (a union-find fed every pair as it is found); the listed pairs are the
/// `limit` most similar, so a set where everything matches everything still runs in bounded memory.
public struct SimilarPairs: Sendable {
    /// One pair: a query row, a reference row (the same set in a leave-one-out: then `first < second`), and
    /// their similarity.
    public struct Pair: Equatable, Sendable {
        public var first: Int
        public var second: Int
        public var similarity: Float
    }

    /// Rows linked by pairs (two or more), ascending, with the lowest similarity among the group's pairs.
    public struct Group: Equatable, Sendable {
        /// Node ids: query rows, and in a search against other references, reference row j as `queryRows + j`.
        public var members: [Int]
        public var lowestSimilarity: Float
    }

    public let minimumSimilarity: Float
    /// The most similar pairs, similarity descending (ties: smaller rows first); at most the limit asked.
    public let pairs: [Pair]
    /// How many pairs there are in all.
    public let total: Int
    public let groups: [Group]

    /// Whether `pairs` lists every pair found.
    public var isComplete: Bool { pairs.count == total }

    init(minimumSimilarity: Float, collector: PairCollector) {
        self.minimumSimilarity = minimumSimilarity
        let found = collector.finish()
        pairs = found.pairs
        total = found.total
        groups = found.groups
    }
}

/// Gathers the pairs that concurrent search tasks report: a union-find over all of them, and the most similar
/// `limit` kept in a list that is trimmed when it doubles.
final class PairCollector: @unchecked Sendable {
    let floor: Float
    private let limit: Int
    private let lock = NSLock()
    private var parent: [Int32]
    private var lowest: [Float]
    private var kept: [SimilarPairs.Pair] = []
    private var total = 0

    /// `nodes`: rows that can be paired (queries, plus references when they are another set).
    init(floor: Float, nodes: Int, limit: Int) {
        self.floor = floor
        self.limit = max(0, limit)
        parent = (0..<nodes).map { Int32($0) }
        lowest = [Float](repeating: .infinity, count: nodes)
    }

    /// Takes a task's pairs (`first`, `second` already node ids).
    func add(_ found: [SimilarPairs.Pair]) {
        guard !found.isEmpty else { return }
        lock.lock(); defer { lock.unlock() }
        for p in found {
            let a = root(p.first), b = root(p.second)
            let low = min(lowest[a], lowest[b], p.similarity)
            if a != b { parent[max(a, b)] = Int32(min(a, b)) }
            lowest[min(a, b)] = low
        }
        total += found.count
        kept += found
        if kept.count / 2 > max(limit, 1024) { trim() }
    }

    private func root(_ x: Int) -> Int {
        var r = x
        while Int(parent[r]) != r { r = Int(parent[r]) }
        var y = x
        while Int(parent[y]) != r { let next = Int(parent[y]); parent[y] = Int32(r); y = next }
        return r
    }

    private func trim() {
        kept.sort { ($0.similarity, $1.first, $1.second) > ($1.similarity, $0.first, $0.second) }
        if kept.count > limit { kept.removeLast(kept.count - limit) }
    }

    func finish() -> (pairs: [SimilarPairs.Pair], total: Int, groups: [SimilarPairs.Group]) {
        lock.lock(); defer { lock.unlock() }
        trim()
        var members = [Int: [Int]]()
        for x in parent.indices {
            let r = root(x)
            if r != x || lowest[r] < .infinity { members[r, default: []].append(x) }
        }
        let groups = members.compactMap { r, m -> SimilarPairs.Group? in
            m.count < 2 ? nil : SimilarPairs.Group(members: m, lowestSimilarity: lowest[r])
        }.sorted { $0.members[0] < $1.members[0] }
        return (kept, total, groups)
    }
}
