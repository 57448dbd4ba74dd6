import Foundation

/// Spectral initialisation of a UMAP layout, as umap-learn's `spectral_layout`: the eigenvectors of the symmetric
/// normalised Laplacian L = I − D^(−1/2) W D^(−1/2) with the smallest non-trivial eigenvalues.
///
/// umap-learn calls ARPACK (`eigsh`, which="SM", tol 1e-4). Here: Lanczos with full re-orthogonalisation on
/// N = D^(−1/2) W D^(−1/2) (largest eigenvalues of N = smallest of L) in the complement of the known trivial
/// eigenvector √deg, so a sparse graph of any size needs only matrix–vector products. It stops when the Ritz residuals
/// of the wanted pairs fall below `tolerance` or after `maxSteps`. A graph of several connected components is laid
/// out per component around a meta layout (umap-learn's `multi_component_layout`, simplified: components at ±unit
/// axes when there are at most 2·dim of them, otherwise at the classical-MDS positions of their centroids).
/// Returns nil when the eigen-solve breaks down, and the caller falls back to random initialisation as umap-learn does.
enum SpectralLayout {
    static func layout(graph: UMAPGraph, data: Matrix, dimensions: Int, seed: UInt64,
                       tolerance: Double = 1e-4, maxSteps: Int = 300) -> Matrix? {
        let n = graph.rows
        let (componentCount, labels) = components(graph)
        if componentCount == 1 {
            return eigenvectors(graph: graph, vertices: Array(0..<n), dimensions: dimensions, seed: seed,
                                tolerance: tolerance, maxSteps: maxSteps)
        }
        // Meta layout of the components.
        var meta = [[Double]](repeating: [Double](repeating: 0, count: dimensions), count: componentCount)
        if componentCount <= 2 * dimensions {
            for c in 0..<componentCount { meta[c][c % dimensions] = c < dimensions ? 1 : -1 }
        } else {
            let d = data.columns
            var centroids = [Double](repeating: 0, count: componentCount * d), sizes = [Double](repeating: 0, count: componentCount)
            for i in 0..<n {
                sizes[labels[i]] += 1
                for c in 0..<d { centroids[labels[i] * d + c] += Double(data.values[i * d + c]) }
            }
            for c in 0..<componentCount { for j in 0..<d { centroids[c * d + j] /= sizes[c] } }
            var mean = [Double](repeating: 0, count: d)
            for c in 0..<componentCount { for j in 0..<d { mean[j] += centroids[c * d + j] / Double(componentCount) } }
            var gram = [Double](repeating: 0, count: componentCount * componentCount)
            for p in 0..<componentCount { for q in p..<componentCount {
                var s = 0.0
                for j in 0..<d { s += (centroids[p * d + j] - mean[j]) * (centroids[q * d + j] - mean[j]) }
                gram[p * componentCount + q] = s; gram[q * componentCount + p] = s
            } }
            let eig = BLAS.symmetricEigen(gram, order: componentCount, vectors: true)
            var maxAbs = 0.0
            for c in 0..<componentCount { for t in 0..<dimensions {
                let col = componentCount - 1 - t
                meta[c][t] = col >= 0 ? eig.vectors[c * componentCount + col] : 0
                maxAbs = max(maxAbs, abs(meta[c][t]))
            } }
            if maxAbs > 0 { for c in 0..<componentCount { for t in 0..<dimensions { meta[c][t] /= maxAbs } } }
        }
        var members = [[Int]](repeating: [], count: componentCount)
        for i in 0..<n { members[labels[i]].append(i) }
        var out = Matrix(rows: n, columns: dimensions)
        var g = SeededGenerator(seed: seed ^ 0x5EC7)
        for c in 0..<componentCount {
            // Half the distance to the nearest other component's position.
            var nearest = Double.infinity
            for o in 0..<componentCount where o != c {
                var s = 0.0
                for t in 0..<dimensions { let x = meta[c][t] - meta[o][t]; s += x * x }
                nearest = min(nearest, s.squareRoot())
            }
            let range = nearest.isFinite && nearest > 0 ? nearest / 2 : 1
            let verts = members[c]
            var local: Matrix? = nil
            if verts.count > 2 * dimensions + 1 {
                let sub = subgraph(graph, vertices: verts, labels: labels, component: c)
                local = eigenvectors(graph: sub, vertices: Array(0..<verts.count), dimensions: dimensions,
                                     seed: seed &+ UInt64(c), tolerance: tolerance, maxSteps: maxSteps)
            }
            if local == nil {
                local = Matrix(rows: verts.count, columns: dimensions, values: (0..<(verts.count * dimensions)).map { _ in
                    Float(Double(g.next() >> 11) / Double(1 << 53) * 2 - 1)
                })
            }
            let l = local!
            let maxAbs = Double(l.values.map { abs($0) }.max() ?? 1)
            let scale = maxAbs > 0 ? range / maxAbs : 0
            for (r, v) in verts.enumerated() {
                for t in 0..<dimensions { out[v, t] = Float(Double(l[r, t]) * scale + meta[c][t]) }
            }
        }
        return out
    }

    /// Connected components (union–find); labels numbered by first appearance.
    static func components(_ graph: UMAPGraph) -> (Int, [Int]) {
        var parent = Array(0..<graph.rows)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        for e in 0..<graph.edgeCount {
            let a = find(Int(graph.heads[e])), b = find(Int(graph.tails[e]))
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        var ids = [Int: Int](), labels = [Int](repeating: 0, count: graph.rows)
        for i in 0..<graph.rows {
            let r = find(i)
            if let id = ids[r] { labels[i] = id } else { ids[r] = ids.count; labels[i] = ids[r]! }
        }
        return (ids.count, labels)
    }

    private static func subgraph(_ graph: UMAPGraph, vertices: [Int], labels: [Int], component: Int) -> UMAPGraph {
        var local = [Int: Int32]()
        for (r, v) in vertices.enumerated() { local[v] = Int32(r) }
        var g = UMAPGraph(rows: vertices.count, columns: vertices.count, heads: [], tails: [], weights: [])
        for e in 0..<graph.edgeCount where labels[Int(graph.heads[e])] == component {
            g.heads.append(local[Int(graph.heads[e])]!); g.tails.append(local[Int(graph.tails[e])]!)
            g.weights.append(graph.weights[e])
        }
        return g
    }

    /// The `dimensions` leading non-trivial eigenvectors of D^(−1/2) W D^(−1/2) for a connected graph, as columns.
    static func eigenvectors(graph: UMAPGraph, vertices: [Int], dimensions: Int, seed: UInt64,
                             tolerance: Double, maxSteps: Int) -> Matrix? {
        let n = graph.rows
        guard n > dimensions + 1 else { return nil }
        // CSR of the normalised adjacency.
        var degree = [Double](repeating: 0, count: n)
        for e in 0..<graph.edgeCount { degree[Int(graph.tails[e])] += Double(graph.weights[e]) }
        guard degree.allSatisfy({ $0 > 0 }) else { return nil }
        let invSqrt = degree.map { 1 / $0.squareRoot() }
        var rowStart = [Int](repeating: 0, count: n + 1)
        for e in 0..<graph.edgeCount { rowStart[Int(graph.heads[e]) + 1] += 1 }
        for i in 0..<n { rowStart[i + 1] += rowStart[i] }
        var cols = [Int32](repeating: 0, count: graph.edgeCount), vals = [Double](repeating: 0, count: graph.edgeCount)
        var fill = rowStart
        for e in 0..<graph.edgeCount {
            let i = Int(graph.heads[e]), j = Int(graph.tails[e])
            cols[fill[i]] = Int32(j); vals[fill[i]] = Double(graph.weights[e]) * invSqrt[i] * invSqrt[j]; fill[i] += 1
        }
        func apply(_ x: [Double]) -> [Double] {
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n {
                var s = 0.0
                for p in rowStart[i]..<rowStart[i + 1] { s += vals[p] * x[Int(cols[p])] }
                y[i] = s
            }
            return y
        }
        func dot(_ a: [Double], _ b: [Double]) -> Double { var s = 0.0; for i in 0..<a.count { s += a[i] * b[i] }; return s }
        var trivial = degree.map { $0.squareRoot() }
        let tn = dot(trivial, trivial).squareRoot()
        trivial = trivial.map { $0 / tn }
        func deflate(_ w: inout [Double], against q: [Double]) {
            let c = dot(w, q)
            for i in 0..<n { w[i] -= c * q[i] }
        }
        // Start: seeded Gaussian-ish vector orthogonal to the trivial eigenvector.
        var g = SeededGenerator(seed: seed ^ 0x1A2C)
        var v = (0..<n).map { _ in Double(g.next() >> 11) / Double(1 << 53) - 0.5 }
        deflate(&v, against: trivial)
        var norm = dot(v, v).squareRoot()
        guard norm > 0 else { return nil }
        v = v.map { $0 / norm }
        let steps = min(maxSteps, n - 1)
        var basis: [[Double]] = [v]
        var alphas = [Double](), betas = [Double]()
        var ritz: (values: [Double], vectors: [Double], m: Int)? = nil
        var step = 0
        while step < steps {
            var w = apply(basis[step])
            let alpha = dot(w, basis[step])
            alphas.append(alpha)
            for i in 0..<n { w[i] -= alpha * basis[step][i] }
            if step > 0 { let bprev = betas[step - 1]; for i in 0..<n { w[i] -= bprev * basis[step - 1][i] } }
            for _ in 0..<2 {
                deflate(&w, against: trivial)
                for q in basis { deflate(&w, against: q) }
            }
            norm = dot(w, w).squareRoot()
            step += 1
            let done = norm < 1e-12 || step == steps
            if step >= dimensions && (step % 10 == 0 || done) {
                let m = step
                var t = [Double](repeating: 0, count: m * m)
                for i in 0..<m { t[i * m + i] = alphas[i]; if i + 1 < m { t[i * m + i + 1] = betas[i]; t[(i + 1) * m + i] = betas[i] } }
                let eig = BLAS.symmetricEigen(t, order: m, vectors: true)
                ritz = (eig.values, eig.vectors, m)
                var converged = true
                for c in 0..<dimensions {
                    let col = m - 1 - c
                    if norm * abs(eig.vectors[(m - 1) * m + col]) > tolerance { converged = false }
                }
                if converged || done { break }
            }
            betas.append(norm)
            basis.append(w.map { $0 / norm })
        }
        guard let r = ritz, r.m >= dimensions else { return nil }
        var out = Matrix(rows: n, columns: dimensions)
        for c in 0..<dimensions {
            let col = r.m - 1 - c
            var y = [Double](repeating: 0, count: n)
            for s in 0..<r.m {
                let coeff = r.vectors[s * r.m + col]
                for i in 0..<n { y[i] += coeff * basis[s][i] }
            }
            for i in 0..<n { out[i, c] = Float(y[i]) }
        }
        guard out.values.allSatisfy({ $0.isFinite }) else { return nil }
        return out
    }
}
