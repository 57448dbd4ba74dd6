import Foundation

/// A Euclidean k-nearest-neighbour graph: `count × k` neighbour indices and distances, row-major, each row sorted by
/// distance ascending (ties: smaller index). For a graph of a set against itself the point is its own first
/// neighbour at distance 0, as umap-learn's kNN graphs have it.
public struct EuclideanNeighbors: Equatable, Sendable {
    public var k: Int
    public var indices: [Int32]
    public var distances: [Float]

    public var count: Int { k == 0 ? 0 : indices.count / k }

    public init(k: Int, indices: [Int32], distances: [Float]) {
        precondition(indices.count == distances.count && (k == 0 || indices.count % k == 0))
        self.k = k
        self.indices = indices
        self.distances = distances
    }

    /// Exact search: the blocked inner-product search (`NearestNeighbors.euclidean`) ranks candidates by
    /// ‖y‖² − 2x·y, a few more than k per row are kept, and their distances are then recomputed directly (Double
    /// accumulation) so near-duplicates get exact distances; rows are re-sorted on those.
    /// - Parameter includingSelf: queries are the references; row i gets i first (distance 0) and k − 1 others.
    public static func exact(queries: Matrix, references: Matrix, k: Int, includingSelf: Bool) -> EuclideanNeighbors {
        precondition(queries.columns == references.columns)
        let m = queries.rows, n = references.rows, d = queries.columns
        let wanted = includingSelf ? k - 1 : k
        precondition(wanted >= 0 && wanted <= n - (includingSelf ? 1 : 0), "kNN: k=\(k) with \(n) points")
        let keep = min(n - (includingSelf ? 1 : 0), wanted + 4)
        // Candidates from the shared blocked search, ranked in float32; exact distances below decide.
        let candIdx = keep > 0
            ? NearestNeighbors.euclidean(queries: queries, references: references, k: keep, excludingSelf: includingSelf).indices
            : []
        // Exact distances of the candidates, sorted; keep the best `wanted`.
        let rows: [([Int32], [Float])] = Parallel.map(m) { i in
            var pairs: [(Double, Int32)] = []
            pairs.reserveCapacity(keep)
            for t in 0..<keep {
                let j = Int(candIdx[i * keep + t])
                if j < 0 { continue }
                var s = 0.0
                for c in 0..<d {
                    let x = Double(queries.values[i * d + c]) - Double(references.values[j * d + c])
                    s += x * x
                }
                pairs.append((s, Int32(j)))
            }
            pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            var idx = [Int32](), dist = [Float]()
            if includingSelf { idx.append(Int32(i)); dist.append(0) }
            for p in pairs.prefix(wanted) { idx.append(p.1); dist.append(Float(p.0.squareRoot())) }
            return (idx, dist)
        }
        return EuclideanNeighbors(k: k, indices: rows.flatMap { $0.0 }, distances: rows.flatMap { $0.1 })
    }
}

/// A max-heap of the k smallest (score, index) pairs seen so far in caller-owned memory; the root is the worst kept
/// pair (largest score; among equal scores the larger index). Unfilled slots are (+inf, -1).
struct MaxDistanceHeap {
    let scores: UnsafeMutablePointer<Float>
    let indices: UnsafeMutablePointer<Int32>
    let k: Int

    @inline(__always) static func worse(_ sa: Float, _ ia: Int32, _ sb: Float, _ ib: Int32) -> Bool {
        if sa != sb { return sa > sb }
        if ia < 0 || ib < 0 { return ia < 0 && ib >= 0 }
        return ia > ib
    }

    /// Replaces the root if (s, i) is better; returns whether it was kept.
    @inline(__always) @discardableResult mutating func offer(_ s: Float, _ i: Int32) -> Bool {
        guard MaxDistanceHeap.worse(scores[0], indices[0], s, i) else { return false }
        scores[0] = s; indices[0] = i
        var p = 0
        while true {
            let l = 2 * p + 1, r = l + 1
            var w = p
            if l < k && MaxDistanceHeap.worse(scores[l], indices[l], scores[w], indices[w]) { w = l }
            if r < k && MaxDistanceHeap.worse(scores[r], indices[r], scores[w], indices[w]) { w = r }
            if w == p { return true }
            let ts = scores[p]; scores[p] = scores[w]; scores[w] = ts
            let ti = indices[p]; indices[p] = indices[w]; indices[w] = ti
            p = w
        }
    }
}
