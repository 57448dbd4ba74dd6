import Foundation

/// A sparse row-major matrix of t-SNE input similarities (compressed rows).
struct SparseAffinities: Sendable {
    let rows: Int
    let rowStart: [Int]        // rows + 1
    let columns: [Int32]
    let values: [Double]

    var total: Double { values.reduce(0, +) }
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
        let n = queries.rows
        var indices = found.indices
        let rows: [[(Double, Int32)]] = Parallel.map(n) { i in
            queries.values.withUnsafeBufferPointer { q in references.values.withUnsafeBufferPointer { r in
                var pairs = [(Double, Int32)]()
                pairs.reserveCapacity(k)
                for t in 0..<k {
                    let j = Int(found.indices[i * k + t])
                    var s = 0.0
                    for c in 0..<d { let x = Double(q[i * d + c]) - Double(r[j * d + c]); s += x * x }
                    pairs.append((s, Int32(j)))
                }
                pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                return pairs
            }}
        }
        var distances = [Double](repeating: 0, count: n * k)
        for i in 0..<n { for t in 0..<k { distances[i * k + t] = rows[i][t].0; indices[i * k + t] = rows[i][t].1 } }
        return (indices, distances)
    }

    /// Row-normalised conditional probabilities over each row's k neighbours (squared distances `distances`).
    static func conditional(distances: [Double], k: Int, perplexity: Double) -> [Double] {
        let n = k == 0 ? 0 : distances.count / k
        let target = log(perplexity)
        let rows: [[Double]] = Parallel.map(n) { i in
            distances.withUnsafeBufferPointer { dist in
                let row = dist.baseAddress! + i * k
                var shifted = [Double](repeating: 0, count: k)
                var dmin = Double.infinity
                for j in 0..<k { dmin = min(dmin, row[j]) }
                for j in 0..<k { shifted[j] = row[j] - dmin }     // the shift cancels in P and in H
                var tau = 1.0, lower = -Double.infinity, upper = Double.infinity
                var p = [Double](repeating: 0, count: k)
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
                return p
            }
        }
        return rows.flatMap { $0 }
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
        // Merge duplicate columns within each row.
        let merged: [([Int32], [Double])] = Parallel.map(n) { i in
            var pairs = (start[i]..<start[i + 1]).map { (cols[$0], vals[$0]) }
            pairs.sort { $0.0 < $1.0 }
            var c = [Int32](), v = [Double]()
            for (col, val) in pairs {
                if let last = c.last, last == col { v[v.count - 1] += val } else { c.append(col); v.append(val) }
            }
            return (c, v)
        }
        var rowStart = [0], outCols = [Int32](), outVals = [Double]()
        for (c, v) in merged { outCols.append(contentsOf: c); outVals.append(contentsOf: v); rowStart.append(outCols.count) }
        let total = outVals.reduce(0, +)
        if total > 0 { for t in 0..<outVals.count { outVals[t] /= total } }
        return SparseAffinities(rows: n, rowStart: rowStart, columns: outCols, values: outVals)
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
