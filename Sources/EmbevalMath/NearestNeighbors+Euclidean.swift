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
}
