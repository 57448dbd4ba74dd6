import Foundation

/// Approximate Euclidean kNN graph by nearest-neighbour descent (Dong, Moses & Li 2011), the method behind
/// pynndescent and so umap-learn's graphs: start from random neighbours, then repeatedly compare each point's
/// neighbours with each other ("a neighbour of a neighbour is likely a neighbour"), using only pairs that involve at
/// least one neighbour new since the last round, sampled (with reverse neighbours) up to `maxCandidates` per point.
/// Stops when a round improves fewer than `delta`·k·N entries or after `iterations` rounds.
///
/// Deterministic for a seed at any thread count: candidate lists are gathered by the owners of the target points in
/// point order and sampled with per-point seeded generators; candidate pairs are generated per point in parallel
/// into per-point lists, then applied to the heaps in point order by the owners of the target rows.
public struct NearestNeighborDescent: Sendable {
    public var k: Int
    public var seed: UInt64
    public var iterations: Int? = nil
    public var maxCandidates = 60
    public var delta = 0.001
    /// Points whose local join is proposed and applied together: bounds the proposals' memory, not the result.
    var joinBatch = 1 << 14

    public init(k: Int, seed: UInt64) { self.k = k; self.seed = seed }

    /// The graph of `x` against itself, self first (k − 1 others).
    public func graph(_ x: Matrix) -> EuclideanNeighbors {
        let n = x.rows, d = x.columns
        let kk = k - 1                         // others per point
        precondition(kk >= 1 && kk < n)
        let rounds = iterations ?? max(5, Int(log2(Double(n)).rounded()))
        let candidates = min(maxCandidates, 2 * kk)
        var scores = [Float](repeating: .infinity, count: n * kk)
        var ids = [Int32](repeating: -1, count: n * kk)
        var isNew = [Bool](repeating: true, count: n * kk)

        x.values.withUnsafeBufferPointer { xv in
        scores.withUnsafeMutableBufferPointer { sBuf in
        ids.withUnsafeMutableBufferPointer { iBuf in
        isNew.withUnsafeMutableBufferPointer { nBuf in
            let xs = xv.baseAddress!, sc = sBuf.baseAddress!, ix = iBuf.baseAddress!, fresh = nBuf.baseAddress!
            @inline(__always) func distance(_ p: Int, _ q: Int) -> Float {
                var s: Float = 0
                let a = xs + p * d, b = xs + q * d
                for c in 0..<d { let t = a[c] - b[c]; s += t * t }
                return s
            }
            /// Inserts q into p's heap if better and absent.
            @inline(__always) func push(_ p: Int, _ q: Int32, _ s: Float) -> Bool {
                let base = p * kk
                guard MaxDistanceHeap.worse(sc[base], ix[base], s, q) else { return false }
                for t in 0..<kk where ix[base + t] == q { return false }
                var heap = MaxDistanceHeap(scores: sc + base, indices: ix + base, k: kk)
                // Keep the new-flag with its entry: remember the slot order via a side search after the sift.
                heap.offer(s, q)
                for t in 0..<kk where ix[base + t] == q { fresh[base + t] = true }
                return true
            }
            // Random initial neighbours (flags are re-derived below, so the sift moving them does not matter).
            Parallel.forEachRange(n) { points in
                for p in points {
                    var g = SeededGenerator(seed: seed &+ UInt64(p) &* 0xD1B5_4A32_D192_ED03)
                    var tries = 0
                    while ix[p * kk] < 0 || tries < kk {
                        let q = g.index(below: n)
                        tries += 1
                        if q != p { _ = push(p, Int32(q), distance(p, q)) }
                        if tries > 50 * kk { break }
                    }
                }
            }
            for i in 0..<(n * kk) { fresh[i] = true }

            for round in 0..<rounds {
                // 1. Candidate lists: a random sample of each point's new and old neighbours, plus reverse ones.
                // Threads own ranges of target points and scan the graph in point order, so every list comes out in
                // the same order on any number of cores; each point samples with its own seeded generator.
                var newCand = [[Int32]](repeating: [], count: n), oldCand = [[Int32]](repeating: [], count: n)
                let owners = min(n, ProcessInfo.activeCores)
                let roundSeed = seed ^ (UInt64(round + 1) &* 0x9E37_79B9_7F4A_7C15)
                newCand.withUnsafeMutableBufferPointer { nc in oldCand.withUnsafeMutableBufferPointer { oc in
                    Parallel.forEach(owners) { o in
                        let lo = o * n / owners, hi = (o + 1) * n / owners
                        for p in 0..<n {
                            let mine = p >= lo && p < hi
                            for t in 0..<kk {
                                let q = Int(ix[p * kk + t])
                                if q < 0 { continue }
                                let theirs = q >= lo && q < hi
                                guard mine || theirs else { continue }
                                if fresh[p * kk + t] {
                                    if mine { nc[p].append(Int32(q)) }
                                    if theirs { nc[q].append(Int32(p)) }
                                } else {
                                    if mine { oc[p].append(Int32(q)) }
                                    if theirs { oc[q].append(Int32(p)) }
                                }
                            }
                        }
                    }
                    Parallel.forEachRange(n) { points in
                        for p in points {
                            var g = SeededGenerator(seed: roundSeed &+ UInt64(p) &* 0xD1B5_4A32_D192_ED03)
                            nc[p] = sample(unique(nc[p]), candidates, &g)
                            oc[p] = sample(unique(oc[p]), candidates, &g)
                            // Sampled new neighbours become old.
                            let chosen = Set(nc[p])
                            for t in 0..<kk where fresh[p * kk + t] && chosen.contains(ix[p * kk + t]) { fresh[p * kk + t] = false }
                        }
                    }
                }}
                // 2–3. Local join, a batch of points at a time so the proposals stay bounded (the first round, from
                // random neighbours, proposes ~1,000 pairs per point: 12 GB at a million points if held at once).
                // Every proposal is judged against the heaps' worst entries as they were when the round began, as if
                // the whole round were joined first and applied after: the same result for any batch size.
                let limits = (0..<n).map { sc[$0 * kk] }
                var updates = 0
                let batchSize = max(1, joinBatch)
                for first in stride(from: 0, to: n, by: batchSize) {
                    let batch = first..<min(n, first + batchSize)
                    // Proposed (target, candidate, distance) per point, in parallel.
                    let proposals: [[(Int32, Int32, Float)]] = newCand.withUnsafeBufferPointer { nc in
                        oldCand.withUnsafeBufferPointer { oc in
                            Parallel.map(batch.count) { j in
                                let p = batch.lowerBound + j
                                var out: [(Int32, Int32, Float)] = []
                                let news = nc[p], olds = oc[p]
                                for a in 0..<news.count {
                                    let u = Int(news[a])
                                    for b in (a + 1)..<max(a + 1, news.count) {
                                        let v = Int(news[b]); if u == v { continue }
                                        let s = distance(u, v)
                                        if s < limits[u] || s < limits[v] { out.append((Int32(u), Int32(v), s)) }
                                    }
                                    for w in olds {
                                        let v = Int(w); if u == v { continue }
                                        let s = distance(u, v)
                                        if s < limits[u] || s < limits[v] { out.append((Int32(u), Int32(v), s)) }
                                    }
                                }
                                return out
                            }
                        }
                    }
                    // Applied by the owners of the target rows, each scanning the proposals in point order.
                    let counts: [Int] = proposals.withUnsafeBufferPointer { props in
                        Parallel.map(owners) { o in
                            let lo = o * n / owners, hi = (o + 1) * n / owners
                            var updates = 0
                            for list in props {
                                for (u, v, s) in list {
                                    if Int(u) >= lo && Int(u) < hi && push(Int(u), v, s) { updates += 1 }
                                    if Int(v) >= lo && Int(v) < hi && push(Int(v), u, s) { updates += 1 }
                                }
                            }
                            return updates
                        }
                    }
                    updates += counts.reduce(0, +)
                }
                if Double(updates) <= delta * Double(kk * n) { break }
            }
        }}}}
        // Rows: self first, then neighbours by distance (ties: smaller index).
        var indices = [Int32](), distances = [Float]()
        indices.reserveCapacity(n * k); distances.reserveCapacity(n * k)
        for p in 0..<n {
            var pairs = (0..<kk).map { (scores[p * kk + $0], ids[p * kk + $0]) }
            pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            indices.append(Int32(p)); distances.append(0)
            for (s, q) in pairs { indices.append(q); distances.append(s.squareRoot()) }
        }
        return EuclideanNeighbors(k: k, indices: indices, distances: distances)
    }

    private func unique(_ v: [Int32]) -> [Int32] {
        var seen = Set<Int32>(), out = [Int32]()
        for x in v where seen.insert(x).inserted { out.append(x) }
        return out
    }

    /// Up to `limit` elements, a seeded random choice (partial Fisher–Yates).
    private func sample(_ v: [Int32], _ limit: Int, _ g: inout SeededGenerator) -> [Int32] {
        guard v.count > limit else { return v }
        var a = v
        for i in 0..<limit { a.swapAt(i, i + g.index(below: a.count - i)) }
        return Array(a.prefix(limit))
    }
}
