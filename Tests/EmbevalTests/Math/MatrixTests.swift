import Testing
@testable import Embeval

@Test func selectingRowsKeepsOrder() {
    let m = Matrix(rowVectors: [[1, 2], [3, 4], [5, 6]])
    #expect(m.selectingRows([2, 0]) == Matrix(rowVectors: [[5, 6], [1, 2]]))
    #expect(m[1, 1] == 4)
}
