import Foundation

/// A fitted principal component analysis: `transform` maps rows onto the components.
public struct PCAResult: Sendable {
    /// The column means of the fitted data (length d).
    public let mean: [Float]
    /// `k × d`: one component per row, by decreasing explained variance. Signs follow scikit-learn's `svd_flip`
    /// (v-based, as its `PCA` does since 1.5): each component's largest-magnitude entry is positive.
    public let components: Matrix
    /// Variance along each component (unbiased, divided by N − 1).
    public let explainedVariance: [Double]
    /// `explainedVariance` over the data's total variance.
    public let explainedVarianceRatio: [Double]
    /// The solver that ran (`.covariance` or `.randomized`).
    public let solver: PCA.Solver

    /// `(x − mean) · componentsᵀ`: `rows × k`.
    public func transform<Rows: RowBlocks>(_ x: Rows) -> Matrix {
        precondition(x.columns == mean.count, "PCA.transform: \(x.columns) columns, fitted on \(mean.count)")
        return Self.project(x, mean: mean, components: components)
    }

    /// `x · componentsᵀ − mean · componentsᵀ` a block of rows at a time, as scikit-learn's `transform` computes it
    /// (the mean is taken off after the product): no centred copy of the rows is made, so projecting a million
    /// mapped rows needs only the output.
    static func project<Rows: RowBlocks>(_ x: Rows, mean: [Float], components: Matrix) -> Matrix {
        let n = x.rows, d = x.columns, k = components.rows
        let block = max(1, min(n, 4096))
        let offsets = (0..<k).map { c in Float((0..<d).reduce(0.0) { $0 + Double(mean[$1]) * Double(components.values[c * d + $1]) }) }
        var out = [Float](repeating: 0, count: n * k)
        components.values.withUnsafeBufferPointer { c in
            out.withUnsafeMutableBufferPointer { o in
                for start in stride(from: 0, to: n, by: block) {
                    let rows = min(block, n - start)
                    let target = UnsafeMutableBufferPointer(rebasing: o[(start * k)..<((start + rows) * k)])
                    x.withRows(start..<(start + rows)) { v in
                        BLAS.multiplyTransposed(UnsafeBufferPointer(rebasing: v[0..<(rows * d)]), rows: rows, c, rows: k, depth: d, into: target)
                    }
                    for i in 0..<rows { for j in 0..<k { target[i * k + j] -= offsets[j] } }
                }
            }
        }
        return Matrix(rows: n, columns: k, values: out)
    }
}

/// Principal component analysis with scikit-learn's conventions.
///
/// - `.covariance`: the d×d covariance (Double, blocked dsyrk) and its eigen-decomposition (LAPACK dsyevd) —
///   scikit-learn's `svd_solver="covariance_eigh"`; exact.
/// - `.randomized`: Halko et al.'s randomized SVD as scikit-learn's `randomized_svd`: k + 10 Gaussian probes,
///   power iterations 7 when k < 0.1·min(N, d) else 4, each step re-orthonormalised by QR (LAPACK dgeqrf/dorgqr),
///   then the SVD of the small projected matrix.
/// - `.auto`: covariance when d ≤ 1000 or k ≥ 0.8·min(N, d), randomized otherwise.
public enum PCA {
    public enum Solver: String, Sendable, CaseIterable { case auto, covariance, randomized }

    public static func fit(_ x: Matrix, components k: Int, solver: Solver = .auto, seed: UInt64 = 0) throws -> PCAResult {
        let n = x.rows, d = x.columns
        guard n >= 2 else { throw ProjectionError.tooFewPoints(method: "PCA", needed: 2, got: n, remedy: nil) }
        guard k >= 1 && k <= min(n, d) else {
            throw ProjectionError.invalidParameter("PCA: \(k) components requested, but the data is \(n)×\(d) (at most \(min(n, d)))")
        }
        // A column's Double sum of Floats is finite exactly when all its entries are (it cannot overflow), so the
        // means' pass doubles as the check; the offending row is looked for only when one is not.
        let mean = columnMeans(x)
        if !mean.allSatisfy(\.isFinite) {
            throw ProjectionError.nonFinite(input: "PCA", row: (x.values.firstIndex(where: { !$0.isFinite }) ?? 0) / d)
        }
        var chosen = solver
        if chosen == .auto { chosen = (d <= 1000 || Double(k) >= 0.8 * Double(min(n, d))) ? .covariance : .randomized }
        return chosen == .covariance ? covariancePCA(x, k, mean: mean) : randomizedPCA(x, k, mean: mean, seed: seed)
    }

    static func columnMeans(_ x: Matrix) -> [Double] {
        let n = x.rows, d = x.columns
        var sums = [Double](repeating: 0, count: d)
        x.values.withUnsafeBufferPointer { v in sums.withUnsafeMutableBufferPointer { s in
            for i in 0..<n {
                let row = v.baseAddress! + i * d
                for j in 0..<d { s[j] += Double(row[j]) }
            }
        }}
        return sums.map { $0 / Double(n) }
    }

    static func centred(_ x: Matrix, _ mean: [Float]) -> [Float] {
        let d = x.columns
        var out = x.values
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<x.rows { for j in 0..<d { o[i * d + j] -= mean[j] } }
        }
        return out
    }

    // MARK: Exact

    static func covariancePCA(_ x: Matrix, _ k: Int, mean: [Double]) -> PCAResult {
        let n = x.rows, d = x.columns
        var gram = [Double](repeating: 0, count: d * d)
        // Centred Double rows a cache-sized block at a time (about 512 KB, at least 64 rows), each added by dsyrk.
        let block = max(1, min(n, max(64, (1 << 16) / max(d, 1))))
        var buffer = [Double](repeating: 0, count: block * d)
        x.values.withUnsafeBufferPointer { v in mean.withUnsafeBufferPointer { m in
            buffer.withUnsafeMutableBufferPointer { b in gram.withUnsafeMutableBufferPointer { g in
                for r0 in stride(from: 0, to: n, by: block) {
                    let rows = min(block, n - r0)
                    for i in 0..<rows {
                        let source = v.baseAddress! + (r0 + i) * d, target = b.baseAddress! + i * d
                        for j in 0..<d { target[j] = Double(source[j]) - m[j] }
                    }
                    BLAS.accumulateGram(UnsafeBufferPointer(b), rows: rows, columns: d, into: g)
                }
            }}
        }}
        for i in 0..<d { for j in 0..<i { gram[i * d + j] = gram[j * d + i] } }   // dsyrk filled the upper triangle
        let scale = 1 / Double(n - 1)
        for i in 0..<(d * d) { gram[i] *= scale }
        let (values, vectors) = BLAS.symmetricEigen(gram, order: d, vectors: true)
        let variances = values.reversed().map { max($0, 0) }
        let total = variances.reduce(0, +)
        var rows = [[Double]]()
        for c in 0..<k {
            let column = d - 1 - c
            rows.append((0..<d).map { vectors[$0 * d + column] })
        }
        return finish(mean: mean, rows: rows, variances: Array(variances.prefix(k)), total: total, solver: .covariance)
    }

    // MARK: Randomized

    static func randomizedPCA(_ x: Matrix, _ k: Int, mean: [Double], seed: UInt64) -> PCAResult {
        let n = x.rows, d = x.columns
        let xc = centred(x, mean.map(Float.init))
        let l = min(k + 10, min(n, d))
        let powerIterations = Double(k) < 0.1 * Double(min(n, d)) ? 7 : 4
        var g = SeededGenerator(seed: seed)
        var omega = [Float](repeating: 0, count: d * l)
        for i in 0..<omega.count { omega[i] = Float(gaussian(&g)) }

        // Y = Xc·Ω, orthonormalised; then (Xcᵀ·Q, Xc·Q) pairs.
        var q = orthonormal(product(xc, rows: n, cols: d, transposed: false, omega, l), rows: n, cols: l)
        for _ in 0..<powerIterations {
            let z = orthonormal(product(xc, rows: n, cols: d, transposed: true, q, l), rows: d, cols: l)
            q = orthonormal(product(xc, rows: n, cols: d, transposed: false, z, l), rows: n, cols: l)
        }
        // B = Qᵀ·Xc (l×d), its SVD through the l×l Gram matrix B·Bᵀ.
        var b = [Float](repeating: 0, count: l * d)
        q.withUnsafeBufferPointer { qp in xc.withUnsafeBufferPointer { xp in b.withUnsafeMutableBufferPointer { bp in
            BLAS.multiply(qp, transposeA: true, xp, transposeB: false, m: l, n: d, k: n, into: bp)
        }}}
        let bd = b.map(Double.init)
        var bbt = [Double](repeating: 0, count: l * l)
        for i in 0..<l { for j in i..<l {
            var s = 0.0
            for t in 0..<d { s += bd[i * d + t] * bd[j * d + t] }
            bbt[i * l + j] = s; bbt[j * l + i] = s
        } }
        let (values, vectors) = BLAS.symmetricEigen(bbt, order: l, vectors: true)
        var rows = [[Double]](), variances = [Double]()
        for c in 0..<k {
            let column = l - 1 - c
            let s2 = max(values[column], 0), s = s2.squareRoot()
            var v = [Double](repeating: 0, count: d)
            for i in 0..<l {
                let u = vectors[i * l + column]
                for t in 0..<d { v[t] += u * bd[i * d + t] }
            }
            if s > 0 { for t in 0..<d { v[t] /= s } }
            rows.append(v)
            variances.append(s2 / Double(n - 1))
        }
        var total = 0.0
        for v in xc { total += Double(v) * Double(v) }
        total /= Double(n - 1)
        return finish(mean: mean, rows: rows, variances: variances, total: total, solver: .randomized)
    }

    /// `Xc·M` (n×l) or `Xcᵀ·M` (d×l) with M row-major (d×l or n×l).
    private static func product(_ xc: [Float], rows n: Int, cols d: Int, transposed: Bool, _ m: [Float], _ l: Int) -> [Float] {
        let outRows = transposed ? d : n
        var out = [Float](repeating: 0, count: outRows * l)
        xc.withUnsafeBufferPointer { xp in m.withUnsafeBufferPointer { mp in out.withUnsafeMutableBufferPointer { op in
            BLAS.multiply(xp, transposeA: transposed, mp, transposeB: false, m: outRows, n: l, k: transposed ? n : d, into: op)
        }}}
        return out
    }

    private static func orthonormal(_ a: [Float], rows: Int, cols: Int) -> [Float] {
        var da = a.map(Double.init)
        BLAS.orthonormalizeColumns(&da, rows: rows, columns: cols)
        return da.map(Float.init)
    }

    static func gaussian(_ g: inout SeededGenerator) -> Double {
        let u1 = max(Double(g.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(g.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    // MARK: Signs and packaging

    private static func finish(mean: [Double], rows: [[Double]], variances: [Double], total: Double,
                               solver: Solver) -> PCAResult {
        let d = mean.count
        var values = [Float]()
        values.reserveCapacity(rows.count * d)
        for row in rows {
            // svd_flip, v-based: the entry of largest magnitude (first one on ties) becomes positive.
            var best = 0
            for j in 1..<max(d, 1) where abs(row[j]) > abs(row[best]) { best = j }
            let sign: Double = row[best] < 0 ? -1 : 1
            values.append(contentsOf: row.map { Float($0 * sign) })
        }
        return PCAResult(mean: mean.map(Float.init),
                         components: Matrix(rows: rows.count, columns: d, values: values),
                         explainedVariance: variances,
                         explainedVarianceRatio: variances.map { total > 0 ? $0 / total : 0 },
                         solver: solver)
    }
}
