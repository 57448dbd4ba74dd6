import Foundation
import Testing
@testable import Embeval

@Test func matrixAndLabelsRoundTripThroughNpy() throws {
    let dir = TestPaths.scratch()
    let m = Matrix(rowVectors: [[1.5, -2], [3, 4.25], [0, 1e-7]])
    try NumpyArray.write(m, to: dir.appendingPathComponent("e.npy"))
    try NumpyArray.write(labels: [3, 0, 7], to: dir.appendingPathComponent("l.npy"))
    #expect(try NumpyArray.readMatrix(at: dir.appendingPathComponent("e.npy")) == m)
    #expect(try NumpyArray.readLabels(at: dir.appendingPathComponent("l.npy")) == [3, 0, 7])
    // The header is padded so the data starts at a multiple of 64 bytes, as numpy writes it.
    let data = try Data(contentsOf: dir.appendingPathComponent("e.npy"))
    #expect((data.count - 24) % 64 == 0)
    #expect(String(data: data[10..<(data.count - 24)], encoding: .utf8)!.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"))
}

@Test func embeddingsDirectoryHoldsTheFourFiles() throws {
    let dir = TestPaths.scratch()
    let e = try Embeddings(matrix: Matrix(rowVectors: [[1, 0], [0, 1]]), labels: [1, 0], ids: ["a/1.png", "b/2.png"], classes: ["a", "b"])
    try e.write(to: dir)
    let back = try Embeddings.load(embeddings: dir.appendingPathComponent("embeddings.npy"), labels: dir.appendingPathComponent("labels.npy"))
    #expect(back.ids == e.ids)
    #expect(back.classes == e.classes)
    #expect(back.matrix == e.matrix)
}

@Test func labelsThatDoNotMatchTheEmbeddingsAreAnError() throws {
    let dir = TestPaths.scratch()
    try NumpyArray.write(Matrix(rowVectors: [[1, 0], [0, 1]]), to: dir.appendingPathComponent("e.npy"))
    try NumpyArray.write(labels: [1, 0, 1], to: dir.appendingPathComponent("l.npy"))
    let e = dir.appendingPathComponent("e.npy"), l = dir.appendingPathComponent("l.npy")
    #expect(throws: EmbeddingError.malformedFile(path: l.path, location: nil, reason: "holds 3 labels for 2 embeddings in '\(e.path)'")) {
        try Embeddings.load(embeddings: e, labels: l)
    }
}

@Test func healthFindsZeroRowsAndNamesNaNRows() throws {
    var (m, labels) = clusteredEmbeddings(rows: 50, columns: 8, classes: 3, seed: 5)
    for j in 0..<8 { m[4, j] = 0 }
    let ids = (0..<50).map { "img\($0)" }
    let h = try EmbeddingHealth(Embeddings(matrix: m, labels: labels, ids: ids, classes: ["a", "b", "c"]))
    #expect(h.zeroRows == 1)
    #expect(h.effectiveRank > 3)
    #expect(h.warnings == ["1 embedding row(s) are all zero"])
    m[7, 2] = .nan
    #expect(throws: EmbeddingError.nonFinite(count: 1, ids: ["img7"])) {
        try EmbeddingHealth(Embeddings(matrix: m, labels: labels, ids: ids, classes: ["a", "b", "c"]))
    }
}

/// Rows scaled below a norm of 1e-12 are left near zero by normalisation (torch's F.normalize divides by
/// max(‖x‖, 1e-12)): a set times 1e-23 took kNN from 69.5 % to 14 % with a health line of "zero rows 0". They are
/// counted and warned about; rows at 1e-11 are not.
@Test func rowsNormalisationLeavesNearZeroAreWarnedAbout() throws {
    var (m, labels) = clusteredEmbeddings(rows: 50, columns: 8, classes: 3, seed: 7)
    for i in 0..<3 { for j in 0..<8 { m[i, j] *= 1e-23 } }
    for j in 0..<8 { m[3, j] = 0 }
    for j in 0..<8 { m[4, j] = j == 0 ? 1e-11 : 0 }
    let h = try EmbeddingHealth(Embeddings(matrix: m, labels: labels, ids: (0..<50).map { "img\($0)" }, classes: ["a", "b", "c"]))
    #expect(h.vanishingRows == 3 && h.zeroRows == 1)
    #expect(h.warnings.contains("3 embedding row(s) have a norm below 1e-12: normalised as torch's F.normalize does, they stay near zero and match nothing"))
}

@Test func collapsedSpaceIsFlagged() throws {
    let rows = (0..<40).map { i -> [Float] in [1, 1, 1 + Float(i) * 1e-4, 1] }
    let h = try EmbeddingHealth(Embeddings(matrix: Matrix(rowVectors: rows), labels: Array(repeating: 0, count: 40),
                                           ids: (0..<40).map(String.init), classes: ["a"]))
    #expect(h.meanPairwiseCosine > 0.99)
    #expect(h.warnings.contains { $0.contains("collapsed") })
}

/// Wide rows (`-m pixels` at 512×512 is 786,432 values a row) are sampled within a fixed budget: 1,000 such rows took
/// 3 GB as float32 and 6 GB more as centred Doubles, and trapped on a failed allocation under a 6 GB limit after
/// `embed` had written its set. The centred sample is summed a block of columns at a time, to the same rank (within rounding).
@Test func healthOfWideRowsStaysWithinAFixedBudget() throws {
    #expect(EmbeddingHealth.sampleSize(rows: 70_000, columns: 384) == 1000)
    #expect(EmbeddingHealth.sampleSize(rows: 70_000, columns: 65_536) == 1000)
    #expect(EmbeddingHealth.sampleSize(rows: 70_000, columns: 786_432) == 83)
    #expect(EmbeddingHealth.sampleSize(rows: 70_000, columns: 1 << 40) == 2)
    #expect(EmbeddingHealth.sampleSize(rows: 40, columns: 786_432) == 40)
    let wide = clusteredEmbeddings(rows: 60, columns: 700, classes: 4, seed: 3).0
    let whole = EmbeddingHealth.effectiveRank(wide), blocked = EmbeddingHealth.effectiveRank(wide, blockValues: 60 * 64 + 7)
    #expect(whole > 3 && abs(blocked - whole) <= 1e-6 * whole, "\(blocked) vs \(whole)")
    #expect(abs(EmbeddingHealth.effectiveRank(wide, blockValues: 1) - whole) <= 1e-6 * whole)
    let h = try EmbeddingHealth(Embeddings(matrix: wide, labels: Array(repeating: 0, count: 60), ids: (0..<60).map(String.init), classes: ["a"]))
    #expect(h.sampledRows == 60 && h.effectiveRank == whole)
}

@Test func poolingModesReadTheRightTokens() throws {
    // One image, 1 class token + 1 register + 2 patch tokens, hidden 2.
    let t = Tensor(shape: [1, 4, 2], values: [9, 9, 5, 5, 1, 8, 3, 2])
    let out = ["last_hidden_state": t]
    #expect(try Pooling.cls.pool(out, registers: 1).values == [9, 9])
    #expect(try Pooling.mean.pool(out, registers: 1).values == [2, 5])
    #expect(try Pooling.clsMean.pool(out, registers: 1).values == [9, 9, 2, 5])
    let gem = try Pooling.gem.pool(out, registers: 1).values
    #expect(abs(gem[0] - Float(pow((1.0 + 27.0) / 2, 1.0 / 3))) < 1e-5)
    #expect(throws: EmbeddingError.self) { try Pooling.pooler.pool(out, registers: 0) }
    // With the patch grid known (1×2 here), a prefix longer than the class token and the configured registers is
    // refused: a DINOv2-reg export without config.json pooled its 4 registers as patches, silently.
    let grid = PoolingInput(outputs: out, registers: 0, grid: (1, 2))
    #expect(throws: EmbeddingError.self) { try Pooling.mean.pool(grid) }
    #expect(try Pooling.mean.pool(PoolingInput(outputs: out, registers: 1, grid: (1, 2))).values == [2, 5])
    #expect(try Pooling.cls.pool(grid).values == [9, 9])
    #expect(try Pooling.list(parsing: "cls,mean,cls,output:image_embeds") == [.cls, .mean, .output("image_embeds")])
}
