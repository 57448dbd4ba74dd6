import Foundation

/// The k most similar references of every query row, by inner product (cosine on L2-normalised rows).
///
/// Computed block by block — an sgemm of a query block against a reference block, then a running per-row
/// top-k — so memory stays O((M + N)·d + M·k) and no M×N matrix ever exists. Neighbours of a row are ordered by
/// similarity, descending; equal similarities by the smaller reference index.
public struct NearestNeighbors: Sendable {
    /// Neighbours kept per query row.
    public let k: Int
    /// `queries × k` reference indices, row-major.
    public let indices: [Int32]
    /// `queries × k` similarities, matching `indices`.
    public let similarities: [Float]

    public var queryCount: Int { k == 0 ? 0 : indices.count / k }

    /// Neighbours found elsewhere (tests, other tools): `queries × k` indices and similarities, already ordered.
    public init(precomputedIndices indices: [Int32], similarities: [Float], k: Int) {
        precondition(indices.count == similarities.count && indices.count % k == 0)
        self.k = k
        self.indices = indices
        self.similarities = similarities
    }

    /// Searches `references` for each row of `queries` (both `rows × d`, same d), reading both a block at a time,
    /// so references mapped from disk are never copied whole.
    /// - Parameters:
    ///   - excludingSelf: leave-one-out: query i never gets reference `queryOffset + i` (the queries are rows
    ///     `queryOffset…` of the references' set: all of it, or one shard of it).
    ///   - normalizing: L2-normalise each row of both sides first (`Matrix.normalizeRows`, block by block), giving
    ///     bit for bit the neighbours of the normalised matrices.
    public init<Queries: RowBlocks, References: RowBlocks>(queries: Queries, references: References, k: Int, excludingSelf: Bool,
                                                           queryOffset: Int = 0, normalizing: Bool = false) {
        precondition(queries.columns == references.columns, "NearestNeighbors: widths differ")
        let candidates = references.rows - (excludingSelf ? 1 : 0)
        precondition(k >= 1 && k <= candidates, "NearestNeighbors: k=\(k) with \(candidates) candidates")
        let m = queries.rows, n = references.rows, d = queries.columns
        var indices = [Int32](repeating: -1, count: m * k)
        var sims = [Float](repeating: -.infinity, count: m * k)

        let queryBlock = 512, referenceBlock = 4096
        // Each reference block is read (and normalised) once, then met by every query block. Queries that fit in
        // 256 MB are prepared once; more (a leave-one-out over a mapped set) are prepared a block at a time.
        let queriesAtOnce = m * d <= 1 << 26
        var block = [Float](repeating: 0, count: queryBlock * referenceBlock)
        var queryRows = [Float](repeating: 0, count: queriesAtOnce ? m * d : queryBlock * d)
        var referenceRows = [Float](repeating: 0, count: normalizing ? referenceBlock * d : 0)
        func prepare(_ rows: Range<Int>, into target: UnsafeMutableBufferPointer<Float>) {
            queries.withRows(rows) { source in
                if normalizing { Matrix.normalizeRows(source, into: target, columns: d) } else { _ = target.initialize(from: source) }
            }
        }
        if queriesAtOnce { queryRows.withUnsafeMutableBufferPointer { prepare(0..<m, into: $0) } }
        indices.withUnsafeMutableBufferPointer { heapIdx in
        sims.withUnsafeMutableBufferPointer { heapSim in
        block.withUnsafeMutableBufferPointer { s in
        queryRows.withUnsafeMutableBufferPointer { qBuffer in
        referenceRows.withUnsafeMutableBufferPointer { rBuffer in
            for r0 in stride(from: 0, to: n, by: referenceBlock) {
                let rb = min(referenceBlock, n - r0)
                references.withRows(r0..<(r0 + rb)) { raw in
                    var r = raw
                    if normalizing {
                        let normalized = UnsafeMutableBufferPointer(rebasing: rBuffer[0..<(rb * d)])
                        Matrix.normalizeRows(raw, into: normalized, columns: d)
                        r = UnsafeBufferPointer(normalized)
                    }
                    for q0 in stride(from: 0, to: m, by: queryBlock) {
                        let qb = min(queryBlock, m - q0)
                        let q: UnsafeMutableBufferPointer<Float>
                        if queriesAtOnce {
                            q = UnsafeMutableBufferPointer(rebasing: qBuffer[(q0 * d)..<((q0 + qb) * d)])
                        } else {
                            q = UnsafeMutableBufferPointer(rebasing: qBuffer[0..<(qb * d)])
                            prepare(q0..<(q0 + qb), into: q)
                        }
                        BLAS.multiplyTransposed(UnsafeBufferPointer(q), rows: qb, r, rows: rb, depth: d, into: s)
                        let sBase = UnsafePointer(s.baseAddress!)
                        let idxBase = heapIdx.baseAddress!, simBase = heapSim.baseAddress!
                        Parallel.forEachRange(qb) { rows in
                            for i in rows {
                                let row = q0 + i, own = queryOffset + row
                                var heap = TopKHeap(sims: simBase + row * k, indices: idxBase + row * k, k: k)
                                let rowSims = sBase + i * rb
                                // Fast path: a similarity below the worst kept one can never enter (and an equal
                                // one only with a smaller index, which later columns never have once the heap is full).
                                var floor = simBase[row * k]
                                for j in 0..<rb where rowSims[j] >= floor {
                                    let ref = r0 + j
                                    if excludingSelf && ref == own { continue }
                                    heap.offer(rowSims[j], Int32(ref))
                                    floor = simBase[row * k]
                                }
                            }
                        }
                    }
                }
            }
            // Heaps → rows sorted by similarity desc, index asc.
            let idxBase = heapIdx.baseAddress!, simBase = heapSim.baseAddress!
            Parallel.forEachRange(m) { rows in
                for row in rows {
                    var pairs = (0..<k).map { (simBase[row * k + $0], idxBase[row * k + $0]) }
                    pairs.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
                    for (t, p) in pairs.enumerated() { simBase[row * k + t] = p.0; idxBase[row * k + t] = p.1 }
                }
            }
        }}}}}
        self.k = k
        self.indices = indices
        self.similarities = sims
    }
}

/// A min-heap of the k best (similarity, index) pairs seen so far, stored in caller-owned memory.
/// The root is the worst kept pair: lowest similarity, and among equal similarities the larger index.
private struct TopKHeap {
    let sims: UnsafeMutablePointer<Float>
    let indices: UnsafeMutablePointer<Int32>
    let k: Int

    /// `a` ranks below `b`: smaller similarity, or equal similarity and larger index. Unfilled slots (-inf, -1) lose.
    @inline(__always) private func worse(_ sa: Float, _ ia: Int32, _ sb: Float, _ ib: Int32) -> Bool {
        if sa != sb { return sa < sb }
        if ia < 0 || ib < 0 { return ia < 0 && ib >= 0 }
        return ia > ib
    }

    @inline(__always) mutating func offer(_ s: Float, _ i: Int32) {
        guard worse(sims[0], indices[0], s, i) else { return }
        sims[0] = s; indices[0] = i
        var p = 0
        while true {
            let l = 2 * p + 1, r = l + 1
            var w = p
            if l < k && worse(sims[l], indices[l], sims[w], indices[w]) { w = l }
            if r < k && worse(sims[r], indices[r], sims[w], indices[w]) { w = r }
            if w == p { return }
            sims.swapAt(p, w, indices)
            p = w
        }
    }
}

private extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func swapAt(_ a: Int, _ b: Int, _ other: UnsafeMutablePointer<Int32>) {
        let s = self[a]; self[a] = self[b]; self[b] = s
        let t = other[a]; other[a] = other[b]; other[b] = t
    }
}
