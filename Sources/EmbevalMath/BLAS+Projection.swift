import CBLAS

/// BLAS/LAPACK calls of the Projection layer (PCA, t-SNE), behind safe signatures.
extension BLAS {
    /// `c[m×n] = op(a) · op(b)` for row-major buffers, where `op(a)` is `m×k` (`a` stored `k×m` when `transposeA`)
    /// and `op(b)` is `k×n` (`b` stored `n×k` when `transposeB`); `c += op(a) · op(b)` when `accumulating`.
    public static func multiply(
        _ a: UnsafeBufferPointer<Float>, transposeA: Bool,
        _ b: UnsafeBufferPointer<Float>, transposeB: Bool,
        m: Int, n: Int, k: Int,
        into c: UnsafeMutableBufferPointer<Float>, accumulating: Bool = false
    ) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n)
        guard m > 0, n > 0 else { return }
        guard k > 0 else { if !accumulating { for i in 0..<(m * n) { c[i] = 0 } }; return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a.baseAddress, Int32(transposeA ? m : k),
                    b.baseAddress, Int32(transposeB ? k : n), accumulating ? 1 : 0, c.baseAddress, Int32(n))
    }

    /// `c[n×n] += aᵀ·a` for a row-major `rows×n` Double block: only the upper triangle (row ≤ column) is written.
    public static func accumulateGram(_ a: UnsafeBufferPointer<Double>, rows: Int, columns n: Int,
                               into c: UnsafeMutableBufferPointer<Double>) {
        precondition(a.count >= rows * n && c.count >= n * n)
        guard rows > 0, n > 0 else { return }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(rows), 1, a.baseAddress, Int32(n),
                    1, c.baseAddress, Int32(n))
    }

    /// Orthonormal basis of the columns of a row-major `m×n` Double matrix (m ≥ n), in place: LAPACK dgeqrf + dorgqr.
    public static func orthonormalizeColumns(_ a: inout [Double], rows m: Int, columns n: Int) {
        precondition(a.count == m * n && m >= n)
        guard n > 0 else { return }
        // Row-major m×n is column-major n×m; transpose to column-major m×n for LAPACK.
        var col = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { col[j * m + i] = a[i * n + j] } }
        var mm = Int32(m), nn = Int32(n), lda = Int32(m), info: Int32 = 0, lwork: Int32 = -1
        var tau = [Double](repeating: 0, count: n)
        var query = 0.0
        dgeqrf_(&mm, &nn, &col, &lda, &tau, &query, &lwork, &info)
        var query2 = 0.0
        dorgqr_(&mm, &nn, &nn, &col, &lda, &tau, &query2, &lwork, &info)
        lwork = Int32(max(query, query2, Double(n)))
        var work = [Double](repeating: 0, count: Int(lwork))
        dgeqrf_(&mm, &nn, &col, &lda, &tau, &work, &lwork, &info)
        precondition(info == 0, "dgeqrf failed with info \(info)")
        dorgqr_(&mm, &nn, &nn, &col, &lda, &tau, &work, &lwork, &info)
        precondition(info == 0, "dorgqr failed with info \(info)")
        for i in 0..<m { for j in 0..<n { a[i * n + j] = col[j * m + i] } }
    }
}

extension BLAS {
    /// `c[m×n] = op(a) · op(b)` in double precision, row-major, as `multiply` for Float (`c +=` when `accumulating`).
    public static func multiply(
        _ a: UnsafeBufferPointer<Double>, transposeA: Bool,
        _ b: UnsafeBufferPointer<Double>, transposeB: Bool,
        m: Int, n: Int, k: Int,
        into c: UnsafeMutableBufferPointer<Double>, accumulating: Bool = false
    ) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n)
        guard m > 0, n > 0 else { return }
        guard k > 0 else { if !accumulating { for i in 0..<(m * n) { c[i] = 0 } }; return }
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a.baseAddress, Int32(transposeA ? m : k),
                    b.baseAddress, Int32(transposeB ? k : n), accumulating ? 1 : 0, c.baseAddress, Int32(n))
    }
}
