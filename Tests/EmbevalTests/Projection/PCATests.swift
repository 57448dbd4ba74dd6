import Foundation
import Testing
@testable import Embeval

@Test func pcaCovarianceMatchesScikitLearn() throws {
    let x = try ProjectionFixtures.fashionPixels(1500)
    let pca = try PCA.fit(x, components: 50)
    #expect(pca.solver == .covariance)
    let expected = try ProjectionFixtures.matrix("pca_exact_components.npy")
    #expect(ProjectionFixtures.maxComponentDifference(pca.components, expected) <= 1e-4)
    let ratios = try ProjectionFixtures.json("pca_exact.json")["explained_variance_ratio"] as! [Double]
    for (ours, theirs) in zip(pca.explainedVarianceRatio, ratios) { #expect(abs(ours - theirs) <= 1e-6) }
    let mean = try ProjectionFixtures.matrix("pca_exact_mean.npy")
    for j in 0..<x.columns { #expect(abs(pca.mean[j] - mean.values[j]) <= 1e-6) }
    // Signs: svd_flip, v-based — each component's largest-magnitude entry is positive, so signs agree too.
    var signsAgree = 0
    for r in 0..<50 {
        var dot: Float = 0
        for c in 0..<x.columns { dot += pca.components[r, c] * expected[r, c] }
        if dot > 0 { signsAgree += 1 }
    }
    #expect(signsAgree == 50)
    // transform: the committed PCA-50 input is sklearn's transform of these pixels.
    let projected = pca.transform(x.selectingRows(Array(0..<200)))
    let reference = try ProjectionFixtures.matrix("fmnist_pca50.npy").selectingRows(Array(0..<200))
    var worst: Float = 0
    for r in 0..<200 { for c in 0..<50 {
        var dot: Float = 0
        for t in 0..<x.columns { dot += pca.components[c, t] * expected[c, t] }
        worst = max(worst, abs(projected[r, c] - (dot < 0 ? -1 : 1) * reference[r, c]))
    } }
    #expect(worst <= 1e-3)
}

@Test func pcaRandomizedMatchesScikitLearn() throws {
    let x = ProjectionFixtures.randomizedCase()
    let pca = try PCA.fit(x, components: 10, seed: 3)
    #expect(pca.solver == .randomized)
    let randomized = try ProjectionFixtures.matrix("pca_randomized_components.npy")
    let full = try ProjectionFixtures.matrix("pca_full_components.npy")
    #expect(ProjectionFixtures.maxComponentDifference(pca.components, randomized) <= 1e-4)
    #expect(ProjectionFixtures.maxComponentDifference(pca.components, full) <= 1e-4)
    let info = try ProjectionFixtures.json("pca_randomized.json")
    let ratios = info["randomized_explained_variance_ratio"] as! [Double]
    for (ours, theirs) in zip(pca.explainedVarianceRatio, ratios) { #expect(abs(ours - theirs) <= 1e-5) }
    // The exact solver on the same data agrees.
    let exact = try PCA.fit(x, components: 10, solver: .covariance)
    #expect(ProjectionFixtures.maxComponentDifference(exact.components, full) <= 1e-4)
}

@Test func pcaRejectsBadInput() {
    #expect(throws: ProjectionError.self) { try PCA.fit(Matrix(rows: 1, columns: 3), components: 1) }
    #expect(throws: ProjectionError.self) { try PCA.fit(Matrix(rows: 5, columns: 3), components: 4) }
    var nan = Matrix(rows: 5, columns: 3, repeating: 1)
    nan[2, 1] = .nan
    #expect(throws: ProjectionError.nonFinite(input: "PCA", row: 2)) { try PCA.fit(nan, components: 2) }
}

/// A million mapped rows must reach the maps without a raw or a centred copy: normalising and projecting go a block
/// at a time, and give what the whole-matrix computation gives, bit for bit (9,000 rows: two full blocks and a part).
@Test func mapInputFromMappedRowsEqualsTheWholeMatrixComputation() throws {
    let (x, _) = clusteredEmbeddings(rows: 9_000, columns: 24, classes: 5, seed: 11)
    let file = TestPaths.scratch().appendingPathComponent("x.npy")
    try NumpyArray.write(x, to: file)
    let mapped = try #require(try MappedMatrix.open(file))

    var whole = x
    x.values.withUnsafeBufferPointer { s in whole.values.withUnsafeMutableBufferPointer { Matrix.normalizeRows(s, into: $0, columns: 24) } }
    #expect(mapped.l2NormalizedRows().values == whole.values)
    #expect(x.l2NormalizedRows().values == whole.values)

    // scikit-learn's order: the rows' product with the components, then the mean's product taken off.
    let pca = try PCA.fit(whole, components: 6)
    var product = [Float](repeating: 0, count: 9_000 * 6)
    whole.values.withUnsafeBufferPointer { a in pca.components.values.withUnsafeBufferPointer { c in product.withUnsafeMutableBufferPointer {
        BLAS.multiplyTransposed(a, rows: 9_000, c, rows: 6, depth: 24, into: $0)
    } } }
    let offsets = (0..<6).map { c in Float((0..<24).reduce(0.0) { $0 + Double(pca.mean[$1]) * Double(pca.components.values[c * 24 + $1]) }) }
    for i in 0..<9_000 { for c in 0..<6 { product[i * 6 + c] -= offsets[c] } }
    #expect(pca.transform(whole).values == product)

    var builder = MapBuilder()
    builder.pcaDimensions = 6
    let input = try builder.input(mapped)
    #expect(input.normalized.values == whole.values && input.matrix.values == product)
}
