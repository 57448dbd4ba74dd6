import Foundation

/// A sparse row-major matrix of t-SNE input similarities (compressed rows).
struct SparseAffinities: Sendable {
    let rows: Int
    let rowStart: [Int]        // rows + 1
    private(set) var columns: [Int32]
    let values: [Double]

    var total: Double { values.reduce(0, +) }

    /// Renames every column c to `newName[c]`, in place (a map that moved its points to other slots).
    mutating func relabelColumns(_ newName: [Int32]) {
        columns.withUnsafeMutableBufferPointer { c in
            newName.withUnsafeBufferPointer { name in
                Parallel.forEachRange(c.count) { range in
                    for t in range { c[t] = name[Int(c[t])] }
                }
            }
        }
    }
}

/// Input similarities as openTSNE computes them (`affinity.PerplexityBasedNN` / `MultiscaleMixture` with one
/// perplexity): exact Euclidean k nearest neighbours, k = min(N − 1, ⌊3·perplexity⌋); for each point the Gaussian
/// precision τ whose conditional distribution pⱼ ∝ exp(−τ·dⱼ²/2) over those neighbours has entropy log(perplexity)
/// (bisection from τ = 1: doubling/halving until bracketed, then midpoints; |ΔH| ≤ 1e-8 or 200 steps); then
/// P = (P + Pᵀ) / 2 normalised to sum 1 for a fit, or rows normalised to 1 for new points (`transform`).
enum TSNEAffinities {
    /// Exact k nearest references of each query by Euclidean distance: indices and squared distances (Double,
    /// recomputed exactly for the found neighbours), rows ordered nearest first.
    static func neighbours(queries: Matrix, references: Matrix, k: Int, excludingSelf: Bool) -> (indices: [Int32], distances: [Double]) {
        // Maximising q·r − |r|²/2 is minimising |q − r|²: inner products of [q, 1] and [r, −|r|²/2].
        let d = queries.columns
        func augmented(_ m: Matrix, query: Bool) -> Matrix {
            var out = [Float](repeating: 0, count: m.rows * (d + 1))
            m.values.withUnsafeBufferPointer { v in
                for i in 0..<m.rows {
                    var norm = 0.0
                    for j in 0..<d { let x = v[i * d + j]; out[i * (d + 1) + j] = x; norm += Double(x) * Double(x) }
                    out[i * (d + 1) + d] = query ? 1 : Float(-norm / 2)
                }
            }
            return Matrix(rows: m.rows, columns: d + 1, values: out)
        }
        let found = NearestNeighbors(queries: augmented(queries, query: true), references: augmented(references, query: false),
                                     k: k, excludingSelf: excludingSelf)
        return remeasured(found, queries: queries, references: references, k: k)
    }

    /// Exact k nearest other rows of every row of a set (a fit's neighbours), each pair of rows computed once
    /// (`NearestNeighbors.euclidean(leaveOneOut:k:)`): what `neighbours(queries: x, references: x, k: k,
    /// excludingSelf: true)` finds (up to float32 near-ties at the k-th place) in about half the time.
    static func neighbours(within x: Matrix, k: Int) -> (indices: [Int32], distances: [Double]) {
        remeasured(NearestNeighbors.euclidean(leaveOneOut: x, k: k), queries: x, references: x, k: k)
    }

    /// The candidates `found` for each query, re-measured exactly (squared distances in Double) and sorted nearest
    /// first, ties by index.
    private static func remeasured(_ found: NearestNeighbors, queries: Matrix, references: Matrix, k: Int) -> (indices: [Int32], distances: [Double]) {
        let n = queries.rows, d = queries.columns
        guard n > 0, k > 0 else { return ([], []) }
        // Each row's candidates re-measured exactly and sorted, written straight into the outputs (no per-row arrays:
        // at a million points and k = 90 those were 1.4 GB more).
        var indices = [Int32](repeating: 0, count: n * k), distances = [Double](repeating: 0, count: n * k)
        indices.withUnsafeMutableBufferPointer { ib in distances.withUnsafeMutableBufferPointer { db in
            let outIndices = ib.baseAddress!, outDistances = db.baseAddress!
            queries.values.withUnsafeBufferPointer { q in references.values.withUnsafeBufferPointer { r in
                found.indices.withUnsafeBufferPointer { candidates in
                    Parallel.forEachRange(n) { range in
                        var pairs = [(Double, Int32)]()
                        pairs.reserveCapacity(k)
                        for i in range {
                            pairs.removeAll(keepingCapacity: true)
                            for t in 0..<k {
                                let j = Int(candidates[i * k + t])
                                var s = 0.0
                                for c in 0..<d { let x = Double(q[i * d + c]) - Double(r[j * d + c]); s += x * x }
                                pairs.append((s, Int32(j)))
                            }
                            pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                            for t in 0..<k { outDistances[i * k + t] = pairs[t].0; outIndices[i * k + t] = pairs[t].1 }
                        }
                    }
                }
            }}
        }}
        return (indices, distances)
    }

    /// Row-normalised conditional probabilities over each row's k neighbours (squared distances `distances`).
    static func conditional(distances: [Double], k: Int, perplexity: Double) -> [Double] {
        let n = k == 0 ? 0 : distances.count / k
        let target = log(perplexity)
        guard n > 0 else { return [] }
        var out = [Double](repeating: 0, count: n * k)
        out.withUnsafeMutableBufferPointer { o in distances.withUnsafeBufferPointer { dist in
            let output = o.baseAddress!
            Parallel.forEachRange(n) { range in
                var shifted = [Double](repeating: 0, count: k), p = [Double](repeating: 0, count: k)
                for i in range {
                    let row = dist.baseAddress! + i * k
                    var dmin = Double.infinity
                    for j in 0..<k { dmin = min(dmin, row[j]) }
                    for j in 0..<k { shifted[j] = row[j] - dmin }     // the shift cancels in P and in H
                    var tau = 1.0, lower = -Double.infinity, upper = Double.infinity
                    for _ in 0..<200 {
                        var sum = 0.0
                        for j in 0..<k { p[j] = exp(-shifted[j] * tau * 0.5); sum += p[j] }
                        var mean = 0.0
                        for j in 0..<k { p[j] /= sum; mean += p[j] * shifted[j] }
                        let entropy = tau * 0.5 * mean + log(sum)
                        let diff = entropy - target
                        if abs(diff) <= 1e-8 { break }
                        if diff > 0 {
                            lower = tau
                            tau = upper.isInfinite ? tau * 2 : (tau + upper) / 2
                        } else {
                            upper = tau
                            tau = lower.isInfinite ? tau / 2 : (tau + lower) / 2
                        }
                    }
                    for j in 0..<k { output[i * k + j] = p[j] }
                }
            }
        }}
        return out
    }

    /// The symmetric joint P of a fit: (P + Pᵀ) / 2, normalised to sum 1.
    static func joint(indices: [Int32], conditional: [Double], k: Int, count n: Int) -> SparseAffinities {
        var degree = [Int](repeating: 0, count: n)
        for i in 0..<n { for t in 0..<k { degree[i] += 1; degree[Int(indices[i * k + t])] += 1 } }
        var start = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { start[i + 1] = start[i] + degree[i] }
        var cols = [Int32](repeating: 0, count: start[n]), vals = [Double](repeating: 0, count: start[n])
        var fill = start
        for i in 0..<n { for t in 0..<k {
            let j = Int(indices[i * k + t]), v = conditional[i * k + t] / 2
            cols[fill[i]] = Int32(j); vals[fill[i]] = v; fill[i] += 1
            cols[fill[j]] = Int32(i); vals[fill[j]] = v; fill[j] += 1
        } }
        // Merge duplicate columns within each row, in place: a row's entries sorted by column, equal columns added
        // (at most two: i's own neighbour j and j's neighbour i, so the order of the sum does not matter), the row's
        // merged length kept. No per-row arrays (at a million points: 2 GB more, and as much again while appending).
        guard start[n] > 0 else { return SparseAffinities(rows: n, rowStart: start, columns: [], values: []) }
        var length = [Int](repeating: 0, count: n)
        cols.withUnsafeMutableBufferPointer { cb in vals.withUnsafeMutableBufferPointer { vb in length.withUnsafeMutableBufferPointer { lb in
            let c = cb.baseAddress!, v = vb.baseAddress!, merged = lb.baseAddress!
            Parallel.forEachRange(n) { range in
                var pairs = [(Int32, Double)]()
                for i in range {
                    pairs.removeAll(keepingCapacity: true)
                    for t in start[i]..<start[i + 1] { pairs.append((c[t], v[t])) }
                    pairs.sort { $0.0 < $1.0 }
                    var end = start[i]
                    for (col, val) in pairs {
                        if end > start[i] && c[end - 1] == col { v[end - 1] += val } else { c[end] = col; v[end] = val; end += 1 }
                    }
                    merged[i] = end - start[i]
                }
            }
        }}}
        // Rows moved down over the gaps merging left (each lands at or before where it was, so in order is safe).
        var rowStart = [Int](repeating: 0, count: n + 1)
        for i in 0..<n {
            rowStart[i + 1] = rowStart[i] + length[i]
            for t in 0..<length[i] { cols[rowStart[i] + t] = cols[start[i] + t]; vals[rowStart[i] + t] = vals[start[i] + t] }
        }
        // Trimmed, not copied: the spare capacity costs less than a second copy at once would.
        cols.removeLast(cols.count - rowStart[n])
        vals.removeLast(vals.count - rowStart[n])
        let total = vals.reduce(0, +)
        if total > 0 { for t in 0..<vals.count { vals[t] /= total } }
        return SparseAffinities(rows: n, rowStart: rowStart, columns: cols, values: vals)
    }

    /// The asymmetric P of new points against reference points: conditional rows, each summing to 1.
    static func rows(indices: [Int32], conditional: [Double], k: Int, count n: Int) -> SparseAffinities {
        var vals = conditional
        for i in 0..<n {
            var s = 0.0
            for t in 0..<k { s += vals[i * k + t] }
            if s > 0 { for t in 0..<k { vals[i * k + t] /= s } }
        }
        return SparseAffinities(rows: n, rowStart: (0...n).map { $0 * k }, columns: indices, values: vals)
    }
}
