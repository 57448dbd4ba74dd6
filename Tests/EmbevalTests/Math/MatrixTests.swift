import Testing
@testable import Embeval

@Test func selectingRowsKeepsOrder() {
    let m = Matrix(rowVectors: [[1, 2], [3, 4], [5, 6]])
    #expect(m.selectingRows([2, 0]) == Matrix(rowVectors: [[5, 6], [1, 2]]))
    #expect(m[1, 1] == 4)
}

/// Finite values past ~1.8e19 overflow a float sum of squares; such rows still normalise to the unit direction
/// (they used to become zero, and every figure computed on them was that of all-zero rows), in the whole-matrix
/// path and in the blocked neighbour search alike.
@Test func rowsOfHugeFiniteValuesNormaliseToTheirDirection() {
    let (base, _) = clusteredEmbeddings(rows: 30, columns: 8, classes: 3, seed: 4)
    let huge = Matrix(rows: base.rows, columns: base.columns, values: base.values.map { $0 * 1e37 })
    let unit = huge.l2NormalizedRows(), expected = base.l2NormalizedRows()
    #expect(zip(unit.values, expected.values).allSatisfy { abs($0 - $1) <= 1e-6 })
    for i in 0..<unit.rows {
        let length = unit.row(i).reduce(Float(0)) { $0 + $1 * $1 }
        #expect(abs(length - 1) < 1e-5, "row \(i) has squared length \(length)")
    }
    let found = NearestNeighbors(leaveOneOut: huge, k: 3, normalizing: true)
    let reference = NearestNeighbors(leaveOneOut: base, k: 3, normalizing: true)
    #expect(found.indices == reference.indices)
    // Ordinary rows keep the float path, bit for bit: a float sum of squares in order, scaled by 1 / max(norm, 1e-12).
    var direct = [Float]()
    for i in 0..<base.rows {
        let row = base.row(i)
        let scale = 1 / max(row.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        direct += row.map { $0 * scale }
    }
    #expect(direct == expected.values)
}
