extension NearestNeighbors {
    /// The k nearest references of every query by Euclidean distance, through the same blocked inner-product
    /// search: with q̃ = [q, 1] and r̃ = [2r, −‖r‖²], q̃·r̃ = ‖q‖² − ‖q − r‖², so the largest q̃·r̃ is the nearest r.
    /// `similarities` then hold 2q·r − ‖r‖² (not distances); ties go to the smaller index as usual.
    public static func euclidean(queries: Matrix, references: Matrix, k: Int, excludingSelf: Bool) -> NearestNeighbors {
        precondition(queries.columns == references.columns)
        let d = queries.columns
        var q = [Float](), r = [Float]()
        q.reserveCapacity(queries.rows * (d + 1))
        r.reserveCapacity(references.rows * (d + 1))
        for i in 0..<queries.rows {
            q.append(contentsOf: queries.values[(i * d)..<((i + 1) * d)])
            q.append(1)
        }
        for i in 0..<references.rows {
            var norm: Float = 0
            for v in references.values[(i * d)..<((i + 1) * d)] { r.append(2 * v); norm += v * v }
            r.append(-norm)
        }
        return NearestNeighbors(queries: Matrix(rows: queries.rows, columns: d + 1, values: q),
                                references: Matrix(rows: references.rows, columns: d + 1, values: r),
                                k: k, excludingSelf: excludingSelf)
    }

    /// Leave-one-out by Euclidean distance over a whole set: every row's k nearest other rows, each pair computed
    /// once (the blocks hold −‖xᵢ − xⱼ‖²/2, which is symmetric; see `init(leaveOneOut:k:normalizing:)`), about half
    /// the work of `euclidean(queries:references:k:excludingSelf:)` on the set against itself. `similarities` hold
    /// −‖xᵢ − xⱼ‖²/2 as float32 computes it; k is capped at `rows − 1`.
    public static func euclidean(leaveOneOut set: Matrix, k requested: Int) -> NearestNeighbors {
        let k = max(0, min(requested, set.rows - 1))
        guard k > 0 else { return NearestNeighbors(leaveOneOut: set, k: 0) }
        let d = set.columns
        var terms = [Float](repeating: 0, count: set.rows)
        set.values.withUnsafeBufferPointer { v in
            for i in 0..<set.rows {
                var norm: Float = 0
                for c in 0..<d { norm += v[i * d + c] * v[i * d + c] }
                terms[i] = -norm / 2
            }
        }
        var search = NeighbourSearch(k: k, normalizing: false)
        search.halfNegativeSquaredNorms = terms
        let found = search.run(queries: set, references: set, symmetric: true, excludedOffset: nil)
        return NearestNeighbors(precomputedIndices: found.indices, similarities: found.similarities, k: k)
    }
}
