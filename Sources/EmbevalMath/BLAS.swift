import CBLAS

/// The BLAS/LAPACK calls Embeval makes, behind safe signatures. The only file in Math that touches pointers.
public enum BLAS {
    /// `c[m×n] = a[m×k] · b[n×k]ᵀ` for row-major buffers: the similarity block of two sets of row vectors.
    public static func multiplyTransposed(
        _ a: UnsafeBufferPointer<Float>, rows m: Int,
        _ b: UnsafeBufferPointer<Float>, rows n: Int,
        depth k: Int,
        into c: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(a.count >= m * k && b.count >= n * k && c.count >= m * n)
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    1, a.baseAddress, Int32(k), b.baseAddress, Int32(k), 0, c.baseAddress, Int32(n))
    }

    /// Threads OpenBLAS may use for one call.
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    /// Runs `body` with OpenBLAS on one thread per call (restored after): for kernels that run their own calls
    /// concurrently, one per core, instead of waiting on OpenBLAS's threads at every call.
    public static func singleThreaded<Result>(_ body: () throws -> Result) rethrows -> Result {
        let threads = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(threads) }
        return try body()
    }

    /// Eigenvalues (ascending) and, if asked, eigenvectors (columns, row-major `n×n`) of a symmetric matrix.
    public static func symmetricEigen(_ matrix: [Double], order n: Int, vectors: Bool) -> (values: [Double], vectors: [Double]) {
        precondition(matrix.count == n * n)
        guard n > 0 else { return ([], []) }
        var a = matrix                    // symmetric, so row- and column-major agree
        var w = [Double](repeating: 0, count: n)
        var jobz = Int8(UInt8(ascii: vectors ? "V" : "N")), uplo = Int8(UInt8(ascii: "L"))
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workQuery = 0.0, iworkQuery: Int32 = 0
        dsyevd_(&jobz, &uplo, &nn, &a, &lda, &w, &workQuery, &lwork, &iworkQuery, &liwork, &info)
        lwork = Int32(workQuery); liwork = iworkQuery
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &nn, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
        precondition(info == 0, "dsyevd failed with info \(info)")
        // LAPACK returns eigenvectors as columns in column-major order: transpose to row-major columns.
        var v = [Double]()
        if vectors {
            v = [Double](repeating: 0, count: n * n)
            for col in 0..<n { for row in 0..<n { v[row * n + col] = a[col * n + row] } }
        }
        return (w, v)
    }
}
