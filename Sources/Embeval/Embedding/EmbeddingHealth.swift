import Foundation

/// Signs that an embedding space is broken, printed with every result: users of DINO's kNN have reported silently
/// all-zero features, and a collapsed space still yields a (meaningless) accuracy.
public struct EmbeddingHealth: Equatable, Sendable {
    /// Rows whose entries are all 0.
    public var zeroRows: Int
    /// Rows whose entries are all equal (and not all 0): no direction information.
    public var constantRows: Int
    /// Rows not all 0 whose L2 norm is below 1e-12: normalisation divides them by 1e-12 (torch's `F.normalize`), so
    /// they stay near zero and match nothing — one scale of a set (×1e-23) took kNN from 69.5 % to 14 %.
    public var vanishingRows = 0
    /// Mean cosine similarity between distinct rows of a seeded sample of up to 1,000 rows (fewer for rows wider
    /// than 65,536 values: `sampleBytes` at most).
    public var meanPairwiseCosine: Double
    /// exp(entropy of the normalised singular values) of the centred sample (Roy & Vetterli, 2007):
    /// 1 for a space that is a single direction, d for an isotropic one.
    public var effectiveRank: Double
    /// Rows sampled for the two figures above.
    public var sampledRows: Int

    /// One-line warnings for a space that looks collapsed; empty when healthy.
    public var warnings: [String] {
        var w = [String]()
        if zeroRows > 0 { w.append("\(zeroRows) embedding row(s) are all zero") }
        if constantRows > 0 { w.append("\(constantRows) embedding row(s) are constant") }
        if vanishingRows > 0 {
            w.append("\(vanishingRows) embedding row(s) have a norm below 1e-12: normalised as torch's F.normalize does, they stay near zero and match nothing")
        }
        if meanPairwiseCosine > 0.95 { w.append(String(format: "mean pairwise cosine %.3f: the embeddings point almost the same way (collapsed space?)", meanPairwiseCosine)) }
        if sampledRows > 2 && effectiveRank < 2 { w.append(String(format: "effective rank %.2f: the embeddings span almost a single direction (collapsed space?)", effectiveRank)) }
        return w
    }

    /// Measures `embeddings`; throws on NaN or infinite entries, naming the offending ids.
    public init(_ embeddings: Embeddings, seed: UInt64 = 0) throws {
        // One pass over the rows a block at a time: they may be mapped from disk, too many to copy.
        let m = embeddings.rows
        var bad = [Int](), zero = 0, constant = 0, vanishing = 0
        let block = 4096
        for start in stride(from: 0, to: m.rows, by: block) {
            m.withRows(start..<min(start + block, m.rows)) { values in
                for r in 0..<(values.count / max(m.columns, 1)) {
                    let row = values[(r * m.columns)..<((r + 1) * m.columns)]
                    if row.contains(where: { !$0.isFinite }) { bad.append(start + r); continue }
                    guard let first = row.first else { continue }
                    if row.allSatisfy({ $0 == first }) { if first == 0 { zero += 1; continue } else { constant += 1 } }
                    // A norm below 1e-12 needs every value below it: most rows are ruled out by their first value.
                    if row.allSatisfy({ abs($0) < 1e-12 }), row.reduce(0.0, { $0 + Double($1) * Double($1) }) < 1e-24 { vanishing += 1 }
                }
            }
        }
        vanishingRows = vanishing
        if !bad.isEmpty {
            throw EmbeddingError.nonFinite(count: bad.count, ids: bad.prefix(5).map { embeddings.ids[$0] })
        }
        zeroRows = zero
        constantRows = constant

        let count = Self.sampleSize(rows: m.rows, columns: m.columns)
        var generator = SeededGenerator(seed: seed)
        let sample = m.rows <= count ? Array(0..<m.rows) : generator.permutation(m.rows).prefix(count).sorted()
        sampledRows = sample.count
        let s = m.selectingRows(sample)
        meanPairwiseCosine = Self.meanPairwiseCosine(s)
        effectiveRank = Self.effectiveRank(s)
    }

    /// The most bytes the sampled rows take as float32; the Double work beside them is a fraction of it.
    static let sampleBytes = 1000 * 65_536 * 4

    /// Rows sampled from `rows` of `columns` values: up to 1,000, and at least 2, within `sampleBytes` (a set of
    /// 512×512 pixels is 786,432 values a row: 3 GB for 1,000 of them).
    static func sampleSize(rows: Int, columns: Int) -> Int {
        min(rows, 1000, max(2, sampleBytes / 4 / max(columns, 1)))
    }

    static func meanPairwiseCosine(_ s: Matrix) -> Double {
        let n = s.rows
        guard n >= 2 else { return 0 }
        // Σ_{i≠j} u_i·u_j = |Σ u_i|² − Σ |u_i|², each row normalised as it is summed.
        var total = [Double](repeating: 0, count: s.columns), u = [Float](repeating: 0, count: s.columns)
        var selfTerms = 0.0
        for i in 0..<n {
            s.withRows(i..<(i + 1)) { row in u.withUnsafeMutableBufferPointer { Matrix.normalizeRows(row, into: $0, columns: s.columns) } }
            var norm = 0.0
            for j in 0..<s.columns { let v = Double(u[j]); total[j] += v; norm += v * v }
            selfTerms += norm
        }
        let all = total.reduce(0) { $0 + $1 * $1 }
        return (all - selfTerms) / Double(n * (n - 1))
    }

    /// `blockValues`: the most Double values of the centred sample held at once when rows are wider than the sample.
    static func effectiveRank(_ s: Matrix, blockValues: Int = 1 << 22) -> Double {
        let n = s.rows, d = s.columns
        guard n >= 2, d >= 1 else { return 0 }
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(s[i, j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        // Eigenvalues of the smaller Gram matrix of the centred sample are the squared singular values: CᵀC (d×d)
        // when d ≤ n, else CCᵀ (n×n) = the Gram matrix of Cᵀ, summed over blocks of Cᵀ's rows so that wide rows
        // are never all held in Double.
        let small = min(n, d), width = d <= n ? d : max(1, blockValues / n)
        var gram = [Double](repeating: 0, count: small * small)
        for first in stride(from: 0, to: d, by: width) {
            let last = min(first + width, d)
            var centred = [Double](repeating: 0, count: n * (last - first))
            for i in 0..<n {
                for j in first..<last {
                    if d <= n { centred[i * d + j] = Double(s[i, j]) - mean[j] } else { centred[(j - first) * n + i] = Double(s[i, j]) - mean[j] }
                }
            }
            centred.withUnsafeBufferPointer { c in
                gram.withUnsafeMutableBufferPointer { g in
                    BLAS.accumulateGram(c, rows: d <= n ? n : last - first, columns: small, into: g)
                }
            }
        }
        for a in 0..<small { for b in (a + 1)..<small { gram[b * small + a] = gram[a * small + b] } }   // dsyrk fills the upper half
        let singular = BLAS.symmetricEigen(gram, order: small, vectors: false).values.map { max($0, 0).squareRoot() }
        let total = singular.reduce(0, +)
        guard total > 0 else { return 0 }
        let entropy = singular.reduce(0.0) { h, sv in
            let p = sv / total
            return p > 0 ? h - p * Foundation.log(p) : h
        }
        return Foundation.exp(entropy)
    }
}
