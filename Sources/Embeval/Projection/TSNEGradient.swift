import Foundation

/// The t-SNE gradient of a whole map (openTSNE's scaling): for point i,
///   gᵢ = e·Σⱼ pᵢⱼ qᵢⱼ (yᵢ − yⱼ) − Σⱼ qᵢⱼ² (yᵢ − yⱼ) / Z,   qᵢⱼ = 1 / (1 + |yᵢ − yⱼ|²),  Z = Σ_{i≠j} qᵢⱼ,
/// attraction over P's non-zeros (e: exaggeration), repulsion by Barnes–Hut or FFT interpolation.
/// Maps (y, g) hold points by slot of `order`; P's rows are input rows, its columns slots.
struct Gradient {
    private(set) var p: SparseAffinities
    private(set) var order: SpatialOrder
    let dims: Int
    let method: TSNE.Method
    let theta: Double
    let fft: FFTRepulsion

    init(p: SparseAffinities, dims: Int, method: TSNE.Method, theta: Double, fft: FFTRepulsion) {
        self.order = SpatialOrder(count: p.rows)
        self.p = p
        self.dims = dims
        self.method = method
        self.theta = theta
        self.fft = fft
    }

    /// Re-sorts the points along the curve of their positions `y` (see `SpatialOrder`), moving `y` and the
    /// optimiser's per-point state with them and relabelling P's columns.
    mutating func resort(y: inout [Double], optimizer: inout Optimizer) {
        let move = order.resort(positions: y, dims: dims)
        move.apply(&y, dims: dims)
        move.apply(&optimizer.update, dims: dims)
        move.apply(&optimizer.gains, dims: dims)
        p.relabelColumns(move.newSlot)
    }

    /// Row chunks of the parallel sums: a fixed count, so Z and KL add up in the same order on any number of cores.
    var chunks: Int { min(p.rows, FFTRepulsion.reductionChunks) }

    /// The gradient, and (when asked) KL of the e-exaggerated P against Q as openTSNE evaluates it.
    func evaluate(y: [Double], exaggeration: Double, wantKL: Bool) -> ([Double], Double) {
        let n = p.rows
        var g = [Double](repeating: 0, count: n * dims)
        let z = repulsion(y: y, into: &g)
        let inverseZ = 1 / (z + Double.ulpOfOne)
        for t in 0..<g.count { g[t] = -g[t] * inverseZ }
        let kl = attraction(y: y, into: &g, exaggeration: exaggeration, wantKL: wantKL)
        return (g, wantKL ? kl + exaggeration * log(z + Double.ulpOfOne) : 0)
    }

    /// Adds Σⱼ qᵢⱼ²(yᵢ − yⱼ) into `force`; returns Z.
    func repulsion(y: [Double], into force: inout [Double]) -> Double {
        let n = p.rows, dims = self.dims
        return y.withUnsafeBufferPointer { yb in
            force.withUnsafeMutableBufferPointer { fb -> Double in
                if method == .fft {
                    return fft.repulsion(y: yb.baseAddress!, count: n, force: fb.baseAddress!)
                }
                let tree = QuadTree(points: yb, count: n, dims: dims)
                let chunks = self.chunks, theta = self.theta
                let f = fb.baseAddress!
                let partial = Parallel.mapRanges(n, chunks: chunks) { rows -> Double in
                    var s = 0.0
                    for i in rows {
                        s += tree.repulsion(at: yb.baseAddress! + i * dims, theta: theta, force: f + i * dims)
                    }
                    return s
                }
                return partial.reduce(0, +) - Double(n)     // each point met itself once, with q = 1
            }
        }
    }

    /// Adds e·Σⱼ pᵢⱼ qᵢⱼ (yᵢ − yⱼ) into `g`; returns Σ e·pᵢⱼ log(e·pᵢⱼ / qᵢⱼ) (unnormalised q) when asked.
    func attraction(y: [Double], into g: inout [Double], exaggeration: Double, wantKL: Bool) -> Double {
        let n = p.rows, dims = self.dims, chunks = self.chunks
        return y.withUnsafeBufferPointer { yb in
        g.withUnsafeMutableBufferPointer { gb in
        order.rows.withUnsafeBufferPointer { rows in
        p.rowStart.withUnsafeBufferPointer { rs in p.columns.withUnsafeBufferPointer { cols in
        p.values.withUnsafeBufferPointer { vals in
            let yp = yb.baseAddress!, gp = gb.baseAddress!
            let partial = Parallel.mapRanges(n, chunks: chunks) { slots -> Double in
                var kl = 0.0
                for i in slots {
                    let row = Int(rows[i]), yi = yp + i * dims
                    if dims == 2 {
                        // The 2-D case with the point's own position and force in registers.
                        let y0 = yi[0], y1 = yi[1]
                        var f0 = 0.0, f1 = 0.0
                        for t in rs[row]..<rs[row + 1] {
                            let yj = yp + 2 * Int(cols[t])
                            let d0 = y0 - yj[0], d1 = y1 - yj[1]
                            let q = 1 / (1 + d0 * d0 + d1 * d1)
                            let pe = vals[t] * exaggeration
                            f0 += pe * q * d0
                            f1 += pe * q * d1
                            if wantKL && pe > 0 { kl += pe * log(pe / q) }
                        }
                        gp[2 * i] += f0
                        gp[2 * i + 1] += f1
                        continue
                    }
                    for t in rs[row]..<rs[row + 1] {
                        let yj = yp + Int(cols[t]) * dims
                        var d2 = 0.0
                        for d in 0..<dims { let diff = yi[d] - yj[d]; d2 += diff * diff }
                        let q = 1 / (1 + d2)
                        let pe = vals[t] * exaggeration
                        for d in 0..<dims { gp[i * dims + d] += pe * q * (yi[d] - yj[d]) }
                        if wantKL && pe > 0 { kl += pe * log(pe / q) }
                    }
                }
                return kl
            }
            return partial.reduce(0, +)
        }}}}}}
    }

    /// KL(P ‖ Q) of a map; Z exact (O(N²)) or from the repulsion method.
    func klDivergence(y: [Double], exact: Bool) -> Double {
        let n = p.rows, dims = self.dims
        var z: Double
        if exact {
            let chunks = self.chunks
            z = y.withUnsafeBufferPointer { yb in
                Parallel.mapRanges(n, chunks: chunks) { rows -> Double in
                    var s = 0.0
                    for i in rows {
                        for j in 0..<n where j != i {
                            var d2 = 0.0
                            for d in 0..<dims { let t = yb[i * dims + d] - yb[j * dims + d]; d2 += t * t }
                            s += 1 / (1 + d2)
                        }
                    }
                    return s
                }.reduce(0, +)
            }
        } else {
            var scratch = [Double](repeating: 0, count: n * dims)
            z = repulsion(y: y, into: &scratch)
        }
        var scratch = [Double](repeating: 0, count: n * dims)
        let sum = attraction(y: y, into: &scratch, exaggeration: 1, wantKL: true)
        return sum + p.total * log(z)
    }
}

/// The gradient of new points against a fixed reference map (openTSNE's transform): attraction to their reference
/// neighbours over the row-normalised P, Barnes–Hut repulsion from the reference points normalised per new point.
struct PartialGradient {
    let p: SparseAffinities
    let reference: [Double]
    let tree: QuadTree
    let dims: Int
    let theta: Double

    func evaluate(y: [Double], exaggeration: Double) -> [Double] {
        let m = p.rows, dims = self.dims, theta = self.theta
        var g = [Double](repeating: 0, count: m * dims)
        let chunks = min(m, 8 * ProcessInfo.activeCores)
        y.withUnsafeBufferPointer { yb in
        g.withUnsafeMutableBufferPointer { gb in
        reference.withUnsafeBufferPointer { ref in
        p.rowStart.withUnsafeBufferPointer { rs in p.columns.withUnsafeBufferPointer { cols in
        p.values.withUnsafeBufferPointer { vals in
            let gp = gb.baseAddress!
            Parallel.forEachRange(m, chunks: chunks) { rows in
                var force = [Double](repeating: 0, count: dims)
                var diff = [Double](repeating: 0, count: dims)
                for i in rows {
                    for d in 0..<dims { force[d] = 0 }
                    let z = force.withUnsafeMutableBufferPointer {
                        tree.repulsion(at: yb.baseAddress! + i * dims, theta: theta, force: $0.baseAddress!)
                    }
                    let inverseZ = 1 / (z + Double.ulpOfOne)
                    for d in 0..<dims { gp[i * dims + d] = -force[d] * inverseZ }
                    for t in rs[i]..<rs[i + 1] {
                        let j = Int(cols[t])
                        var d2 = 0.0
                        for d in 0..<dims { diff[d] = yb[i * dims + d] - ref[j * dims + d]; d2 += diff[d] * diff[d] }
                        let q = 1 / (1 + d2)
                        let pe = vals[t] * exaggeration
                        for d in 0..<dims { gp[i * dims + d] += pe * q * diff[d] }
                    }
                }
            }
        }}}}}}
        return g
    }
}
