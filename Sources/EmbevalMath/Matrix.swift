/// A dense row-major matrix of `Float`: `rows × columns`, element (i, j) at `values[i * columns + j]`.
///
/// The common currency of the numeric layers: embeddings, similarity blocks and projections are all `Matrix`.
public struct Matrix: Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    public var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "Matrix: \(values.count) values do not fill \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: value, count: rows * columns))
    }

    /// Stacks equally long rows.
    public init(rowVectors: [[Float]]) {
        let columns = rowVectors.first?.count ?? 0
        precondition(rowVectors.allSatisfy { $0.count == columns }, "Matrix: rows of different lengths")
        self.init(rows: rowVectors.count, columns: columns, values: rowVectors.flatMap { $0 })
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// A copy of row `i`.
    public func row(_ i: Int) -> [Float] {
        Array(values[(i * columns)..<((i + 1) * columns)])
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var out = [Float]()
        out.reserveCapacity(indices.count * columns)
        for i in indices { out.append(contentsOf: values[(i * columns)..<((i + 1) * columns)]) }
        return Matrix(rows: indices.count, columns: columns, values: out)
    }
}
