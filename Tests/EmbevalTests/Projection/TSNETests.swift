import Foundation
import Testing
@testable import Embeval

@Test func tsneGaussianClassesSeparate() throws {
    let x = try ProjectionFixtures.matrix("gauss3.npy")
    let labels = try ProjectionFixtures.labels("gauss3_labels.npy")
    let result = try TSNE(seed: 1).fit(x)
    #expect(result.embedding.rows == 300 && result.embedding.columns == 2)
    #expect(result.method == .barnesHut)
    let expected = (try ProjectionFixtures.json("tsne.json")["gauss3"] as! [String: Any])["opentsne_trustworthiness"] as! Double
    let ours = Trustworthiness.score(original: x, map: result.embedding, k: 10)
    #expect(abs(ours - expected) <= 0.01, "ours \(ours), openTSNE \(expected)")
    #expect(ProjectionFixtures.knnAccuracy(queries: result.embedding, queryLabels: labels, base: result.embedding,
                                           baseLabels: labels) >= 0.99)
    #expect(result.klDivergence.isFinite && result.klDivergence > 0)
    let history = result.klHistory.map(\.kl)
    #expect(history.count == 15 && history.allSatisfy(\.isFinite))
    #expect(history.last! < history[4])          // after the exaggerated phase, KL goes down
}

/// openTSNE's figures on the first 1,500 PCA-50 Fashion-MNIST test rows (tools/fixtures/projection_tsne.py).
private func fashionParity(_ method: TSNE.Method, key: String) throws {
    let x = try ProjectionFixtures.matrix("fmnist_pca50.npy").selectingRows(Array(0..<1500))
    let result = try TSNE(seed: 0, method: method).fit(x)
    #expect(result.method == method)
    let expected = (try ProjectionFixtures.json("tsne.json")[key] as! [String: Any])
    let ours = Trustworthiness.score(original: x, map: result.embedding, k: 10)
    let theirs = expected["trustworthiness"] as! Double
    print("t-SNE \(method) on 1,500 points: trustworthiness \(ours) (openTSNE \(theirs)), KL \(result.klDivergence)")
    #expect(abs(ours - theirs) <= 0.01, "trustworthiness: ours \(ours), openTSNE \(theirs)")
    let kl = expected["kl_divergence"] as! Double
    #expect(result.klDivergence.isFinite && abs(result.klDivergence - kl) <= 0.1,
            "KL: ours \(result.klDivergence), openTSNE \(kl)")
    let history = result.klHistory.map(\.kl)
    #expect(history.allSatisfy(\.isFinite) && history.last! < history[4])
}

/// The full 750-iteration runs take about a second each optimised but minutes in a debug build, so they run in
/// release builds (`swift test -c release -Xswiftc -enable-testing --filter TSNE`) or with EMBEVAL_SLOW_TESTS=1.
private let fullRuns: Bool = {
    #if DEBUG
    return ProcessInfo.processInfo.environment["EMBEVAL_SLOW_TESTS"] != nil
    #else
    return true
    #endif
}()

@Test(.enabled(if: fullRuns)) func tsneBarnesHutMatchesOpenTSNE() throws { try fashionParity(.barnesHut, key: "bh") }

@Test(.enabled(if: fullRuns)) func tsneFFTMatchesOpenTSNE() throws { try fashionParity(.fft, key: "fft") }

@Test func tsneTransformPlacesHeldOutPointsAmongTheirClass() throws {
    let all = try ProjectionFixtures.matrix("fmnist_pca50.npy")
    let labels = try ProjectionFixtures.labels("fmnist_labels.npy")
    let reference = all.selectingRows(Array(0..<1500)), held = all.selectingRows(Array(1500..<2000))
    // The openTSNE BH map of the reference rows, so the test checks transform alone.
    let map = try ProjectionFixtures.matrix("tsne_opentsne_bh.npy")
    let placed = try TSNE().transform(held, referenceData: reference, referenceMap: map)
    #expect(placed.rows == 500 && placed.columns == 2)
    let ours = ProjectionFixtures.knnAccuracy(queries: placed, queryLabels: Array(labels[1500..<2000]),
                                              base: map, baseLabels: Array(labels[0..<1500]))
    let info = try ProjectionFixtures.json("tsne.json")["transform"] as! [String: Any]
    let theirs = info["knn10_accuracy_in_map"] as! Double
    #expect(ours >= theirs - 0.03, "10-NN accuracy of transformed points: ours \(ours), openTSNE \(theirs)")
    #expect(throws: ProjectionError.self) {
        try TSNE().transform(Matrix(rows: 2, columns: 3), referenceData: reference, referenceMap: map)
    }
}

@Test func tsneRejectsBadInput() {
    var x = Matrix(rows: 10, columns: 3, repeating: 1)
    x[4, 0] = .infinity
    #expect(throws: ProjectionError.nonFinite(input: "t-SNE input", row: 4)) { try TSNE().fit(x) }
    #expect(throws: ProjectionError.self) { try TSNE().fit(Matrix(rows: 3, columns: 3)) }
    #expect(throws: ProjectionError.self) { try TSNE(dimensions: 3, method: .fft).fit(Matrix(rows: 10, columns: 3)) }
}

@Test func tsneThreeDimensionsByBarnesHut() throws {
    let x = try ProjectionFixtures.matrix("gauss3.npy").selectingRows(Array(0..<150))
    let labels = Array(try ProjectionFixtures.labels("gauss3_labels.npy")[0..<150])
    var tsne = TSNE(dimensions: 3, seed: 2)
    tsne.earlyExaggerationIterations = 100
    tsne.iterations = 150
    let result = try tsne.fit(x)
    #expect(result.embedding.columns == 3 && result.method == .barnesHut)
    #expect(ProjectionFixtures.knnAccuracy(queries: result.embedding, queryLabels: labels, base: result.embedding,
                                           baseLabels: labels) >= 0.98)
}

/// By hand, in release: EMBEVAL_TSNE_TIMING=/path/x.npy swift test -c release -Xswiftc -enable-testing --filter tsneTiming
@Test(.enabled(if: ProcessInfo.processInfo.environment["EMBEVAL_TSNE_TIMING"] != nil))
func tsneTiming() throws {
    let path = ProcessInfo.processInfo.environment["EMBEVAL_TSNE_TIMING"]!
    let x = try NumpyArray.readMatrix(at: URL(fileURLWithPath: path))
    let t0 = Date()
    let result = try TSNE(seed: 0).fit(x)
    let seconds = Date().timeIntervalSince(t0)
    try NumpyArray.write(result.embedding, to: URL(fileURLWithPath: path + ".embevaltsne.npy"))
    print("tsneTiming: n=\(x.rows) method=\(result.method) seconds=\(seconds) kl=\(result.klDivergence)")
}
