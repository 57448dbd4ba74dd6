extension RowBlocks {
    /// Every row scaled to unit Euclidean length (rows of norm 0 stay 0), as `F.normalize(x, dim=1, p=2)` does. Rows
    /// mapped from disk are read a block at a time: the raw rows are never copied whole, only the normalised ones made.
    public func l2NormalizedRows() -> Matrix {
        let block = 4096, width = columns, count = rows * columns
        let values = [Float](unsafeUninitializedCapacity: count) { target, initialized in
            for start in stride(from: 0, to: rows, by: block) {
                let end = min(start + block, rows)
                withRows(start..<end) { source in
                    Matrix.normalizeRows(source, into: UnsafeMutableBufferPointer(rebasing: target[(start * width)..<(end * width)]), columns: width)
                }
            }
            initialized = count
        }
        return Matrix(rows: rows, columns: columns, values: values)
    }
}

extension Matrix {
    /// Row by row, `target = source / max(‖source‖₂, 1e-12)`, as torch's `F.normalize(x, dim=1, p=2)` does. The one
    /// implementation: the blocked neighbour search normalises its blocks with it, so its results equal a search
    /// over `l2NormalizedRows()` bit for bit.
    public static func normalizeRows(_ source: UnsafeBufferPointer<Float>, into target: UnsafeMutableBufferPointer<Float>, columns: Int) {
        guard columns > 0 else { return }
        for i in 0..<(source.count / columns) {
            let start = i * columns
            var sum: Float = 0
            for j in start..<(start + columns) { sum += source[j] * source[j] }
            guard sum.isFinite else {
                // Finite values past ~1.8e19 overflow the float sum of squares, and dividing by an infinite norm would
                // zero the row; in double (as torch accumulates a float norm on the CPU) the norm is exact enough.
                var wide: Double = 0
                for j in start..<(start + columns) { wide += Double(source[j]) * Double(source[j]) }
                let scale = 1 / max(wide.squareRoot(), 1e-12)
                for j in start..<(start + columns) { target[j] = Float(Double(source[j]) * scale) }
                continue
            }
            let norm = sum.squareRoot()
            // torch's normalize divides by max(norm, eps = 1e-12).
            let scale = 1 / max(norm, 1e-12)
            for j in start..<(start + columns) { target[j] = source[j] * scale }
        }
    }
}
