import Foundation

/// A sparse weighted graph in coordinate form, entries sorted by row then column (SciPy's canonical COO order).
public struct UMAPGraph: Equatable, Sendable, Codable {
    public var rows: Int
    public var columns: Int
    public var heads: [Int32]
    public var tails: [Int32]
    public var weights: [Float]

    public init(rows: Int, columns: Int, heads: [Int32], tails: [Int32], weights: [Float]) {
        precondition(heads.count == tails.count && tails.count == weights.count)
        self.rows = rows
        self.columns = columns
        self.heads = heads
        self.tails = tails
        self.weights = weights
    }

    public var edgeCount: Int { weights.count }

    enum CodingKeys: String, CodingKey { case rows, columns, heads, tails, weights }

    /// A saved graph is refused unless its three arrays have one entry per edge, every head is a row and every tail a
    /// column, and every weight is finite: later loops over the edges index with them.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try c.decode(Int.self, forKey: .rows), columns = try c.decode(Int.self, forKey: .columns)
        let heads = try c.decode([Int32].self, forKey: .heads), tails = try c.decode([Int32].self, forKey: .tails)
        let weights = try c.decode([Float].self, forKey: .weights)
        if let problem = Self.problem(rows: rows, columns: columns, heads: heads, tails: tails, weights: weights) {
            throw DecodingError.dataCorruptedError(forKey: .weights, in: c, debugDescription: problem)
        }
        self.init(rows: rows, columns: columns, heads: heads, tails: tails, weights: weights)
    }

    /// The members `init(from:)` decodes, from a saved map read member by member (`JSONReader`), checked alike.
    init(reading reader: inout JSONReader) throws {
        var rows: Int?, columns: Int?, heads: [Int32]?, tails: [Int32]?, weights: [Float]?
        try reader.readObject { key, member in
            switch key {
            case "rows": rows = try member.decode(Int.self)
            case "columns": columns = try member.decode(Int.self)
            case "heads": heads = try member.readInt32s()
            case "tails": tails = try member.readInt32s()
            case "weights": weights = try member.readFloats()
            default: break
            }
        }
        guard let rows, let columns, let heads, let tails, let weights else {
            throw JSONReader.Problem(offset: 0, reason: "UMAP graph: rows, columns, heads, tails and weights go together")
        }
        if let problem = Self.problem(rows: rows, columns: columns, heads: heads, tails: tails, weights: weights) {
            throw JSONReader.Problem(offset: 0, reason: problem)
        }
        self.init(rows: rows, columns: columns, heads: heads, tails: tails, weights: weights)
    }

    /// Why saved graph arrays cannot be used, or nil.
    static func problem(rows: Int, columns: Int, heads: [Int32], tails: [Int32], weights: [Float]) -> String? {
        guard rows >= 0, columns >= 0, heads.count == weights.count, tails.count == weights.count else {
            return "UMAP graph: \(heads.count) heads, \(tails.count) tails and \(weights.count) weights for a \(rows) × \(columns) graph; expected one of each per edge"
        }
        if let e = heads.firstIndex(where: { $0 < 0 || Int($0) >= rows }) { return "UMAP graph: edge \(e)'s head \(heads[e]) is not a row of \(rows)" }
        if let e = tails.firstIndex(where: { $0 < 0 || Int($0) >= columns }) { return "UMAP graph: edge \(e)'s tail \(tails[e]) is not a column of \(columns)" }
        if let e = weights.firstIndex(where: { !$0.isFinite }) { return "UMAP graph: edge \(e)'s weight is \(weights[e])" }
        return nil
    }

    /// Drops entries below `threshold` (and zeros), as umap-learn does before laying out.
    func pruned(below threshold: Float) -> UMAPGraph {
        var g = UMAPGraph(rows: rows, columns: columns, heads: [], tails: [], weights: [])
        for e in 0..<edgeCount where weights[e] >= threshold && weights[e] != 0 {
            g.heads.append(heads[e]); g.tails.append(tails[e]); g.weights.append(weights[e])
        }
        return g
    }
}

/// The fuzzy simplicial set of umap-learn (McInnes, Healy & Melville 2018), with its numerical rules.
public enum UMAPFuzzySet {
    static let smoothKTolerance = 1e-5
    static let minKDistScale: Float = 1e-3

    /// Per-point (sigma, rho) as umap-learn's `smooth_knn_dist`: rho interpolates the `localConnectivity`-th nonzero
    /// neighbour distance; sigma is found by 64 bisection steps so that Σ_{j≥1} exp(−max(0, d_j − rho)/sigma) =
    /// log2(k)·bandwidth (the first column, the point itself, is skipped), then floored at 1e-3 × the mean distance
    /// (of the row when rho > 0, of the whole array otherwise).
    public static func smoothKNNDistances(_ knn: EuclideanNeighbors, k: Double, localConnectivity: Double = 1,
                                          bandwidth: Double = 1, iterations: Int = 64) -> (sigmas: [Float], rhos: [Float]) {
        let n = knn.count, kk = knn.k
        let target = log2(k) * bandwidth
        let meanAll: Double = knn.distances.isEmpty ? 0 : knn.distances.reduce(0.0) { $0 + Double($1) } / Double(knn.distances.count)
        let out: [(Float, Float)] = Parallel.map(n) { i in
            let row = Array(knn.distances[(i * kk)..<((i + 1) * kk)])
            let nonZero = row.filter { $0 > 0 }
            var rho: Float = 0
            if Double(nonZero.count) >= localConnectivity {
                let index = Int(localConnectivity.rounded(.down))
                let interpolation = localConnectivity - Double(index)
                if index > 0 {
                    rho = nonZero[index - 1]
                    if interpolation > smoothKTolerance {
                        rho += Float(interpolation) * (nonZero[index] - nonZero[index - 1])
                    }
                } else {
                    rho = Float(interpolation) * nonZero[0]
                }
            } else if !nonZero.isEmpty {
                rho = nonZero.max()!
            }
            var lo = 0.0, hi = Double.infinity, mid = 1.0
            for _ in 0..<iterations {
                var psum = 0.0
                for j in 1..<max(kk, 1) {
                    let d = row[j] - rho
                    psum += d > 0 ? exp(-(Double(d) / mid)) : 1
                }
                if abs(psum - target) < smoothKTolerance { break }
                if psum > target {
                    hi = mid; mid = (lo + hi) / 2
                } else {
                    lo = mid
                    if hi == .infinity { mid *= 2 } else { mid = (lo + hi) / 2 }
                }
            }
            var sigma = Float(mid)
            if rho > 0 {
                let meanRow = row.reduce(0.0) { $0 + Double($1) } / Double(kk)
                if Double(sigma) < Double(minKDistScale) * meanRow { sigma = Float(Double(minKDistScale) * meanRow) }
            } else if Double(sigma) < Double(minKDistScale) * meanAll {
                sigma = Float(Double(minKDistScale) * meanAll)
            }
            return (sigma, rho)
        }
        return (out.map { $0.0 }, out.map { $0.1 })
    }

    /// Membership strength of every kNN edge: exp(−(d − rho)/sigma), 1 where d ≤ rho or sigma = 0, and 0 for a
    /// point's edge to itself unless `bipartite` (queries and references are different sets). Row-major `n × k`.
    static func memberships(_ knn: EuclideanNeighbors, sigmas: [Float], rhos: [Float], bipartite: Bool) -> [Float] {
        let kk = knn.k
        var vals = [Float](repeating: 0, count: knn.indices.count)
        for i in 0..<knn.count {
            for t in 0..<kk {
                let e = i * kk + t
                let j = Int(knn.indices[e])
                if j < 0 { continue }
                if !bipartite && j == i { vals[e] = 0 }
                else if knn.distances[e] - rhos[i] <= 0 || sigmas[i] == 0 { vals[e] = 1 }
                else { vals[e] = Float(exp(-Double((knn.distances[e] - rhos[i]) / sigmas[i]))) }
            }
        }
        return vals
    }

    /// The symmetric fuzzy graph: memberships A, then mix·(A + Aᵀ − A∘Aᵀ) + (1 − mix)·(A∘Aᵀ), zeros dropped.
    public static func graph(_ knn: EuclideanNeighbors, sigmas: [Float], rhos: [Float],
                             setOpMixRatio: Float = 1) -> UMAPGraph {
        let n = knn.count, kk = knn.k
        let vals = memberships(knn, sigmas: sigmas, rhos: rhos, bipartite: false)
        // Both directions of every nonzero entry, keyed (row, column); at most one of each direction per pair.
        var entries: [(key: Int64, value: Float, transposed: Bool)] = []
        entries.reserveCapacity(2 * vals.count)
        for i in 0..<n {
            for t in 0..<kk where vals[i * kk + t] != 0 {
                let j = Int64(knn.indices[i * kk + t]), v = vals[i * kk + t]
                entries.append((Int64(i) * Int64(n) + j, v, false))
                entries.append((j * Int64(n) + Int64(i), v, true))
            }
        }
        entries.sort { $0.key != $1.key ? $0.key < $1.key : (!$0.transposed && $1.transposed) }
        var g = UMAPGraph(rows: n, columns: n, heads: [], tails: [], weights: [])
        g.heads.reserveCapacity(entries.count); g.tails.reserveCapacity(entries.count); g.weights.reserveCapacity(entries.count)
        var e = 0
        while e < entries.count {
            let key = entries[e].key
            var a: Float = 0, at: Float = 0
            while e < entries.count && entries[e].key == key {
                if entries[e].transposed { at += entries[e].value } else { a += entries[e].value }
                e += 1
            }
            let product = a * at
            let w = setOpMixRatio * (a + at - product) + (1 - setOpMixRatio) * product
            if w != 0 {
                g.heads.append(Int32(key / Int64(n))); g.tails.append(Int32(key % Int64(n))); g.weights.append(w)
            }
        }
        return g
    }

    /// umap-learn's `make_epochs_per_sample`: an edge of weight w is sampled every n_epochs / (n_epochs · w / max w)
    /// epochs; −1 (never) for zero weights.
    static func epochsPerSample(_ weights: [Float], epochs: Int) -> [Double] {
        let maxW = Double(weights.max() ?? 0)
        return weights.map { w in
            let samples = Double(epochs) * (Double(w) / maxW)
            return samples > 0 ? Double(epochs) / samples : -1
        }
    }
}
