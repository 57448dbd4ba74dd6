import Foundation
import Testing
@testable import Embeval

/// A by-hand timing run, skipped unless EMBEVAL_UMAP_BENCH names an N×d float32 .npy (e.g. Fashion-MNIST PCA-50):
///   EMBEVAL_UMAP_BENCH=/tmp/fm10k.npy swift test -c release --filter UMAPBench
/// Prints the time of each stage and the trustworthiness (k=10) of a 5,000-point seeded subset when N > 5,000.
@Test(.enabled(if: ProcessInfo.processInfo.environment["EMBEVAL_UMAP_BENCH"] != nil))
func UMAPBenchByHand() throws {
    let env = ProcessInfo.processInfo.environment
    let x = try NumpyArray.readMatrix(at: URL(fileURLWithPath: env["EMBEVAL_UMAP_BENCH"]!))
    let threads = Int(env["EMBEVAL_UMAP_THREADS"] ?? "1") ?? 1
    func clock() -> Double { Date().timeIntervalSinceReferenceDate }
    var umap = UMAP(seed: 1)
    umap.layoutThreads = threads
    if let limit = env["EMBEVAL_UMAP_EXACT_LIMIT"].flatMap(Int.init) { umap.exactNeighborsLimit = limit }
    var t0 = clock()
    let knn = x.rows <= umap.exactNeighborsLimit
        ? EuclideanNeighbors.exact(queries: x, references: x, k: 15, includingSelf: true)
        : NearestNeighborDescent(k: 15, seed: 1).graph(x)
    let tKNN = clock() - t0
    t0 = clock()
    let (s, r) = UMAPFuzzySet.smoothKNNDistances(knn, k: 15)
    let g = UMAPFuzzySet.graph(knn, sigmas: s, rhos: r)
    let tGraph = clock() - t0
    t0 = clock()
    let epochs = x.rows <= 10_000 ? 500 : 200
    let pruned = g.pruned(below: (g.weights.max() ?? 0) / Float(epochs))
    let spectral = SpectralLayout.layout(graph: pruned, data: x, dimensions: 2, seed: 1)
    let tSpectral = clock() - t0
    t0 = clock()
    let result = try umap.fit(x)
    let tFit = clock() - t0
    var sample = Array(0..<x.rows)
    if x.rows > 5000 { var gen = SeededGenerator(seed: 0); sample = Array(gen.permutation(x.rows).prefix(5000)) }
    let trust = Trustworthiness.score(original: x.selectingRows(sample), map: result.embedding.selectingRows(sample), k: 10)
    print("UMAPBench n=\(x.rows) knn \(tKNN)s graph \(tGraph)s spectral \(tSpectral)s (ok: \(spectral != nil)) " +
          "fit total \(tFit)s edges \(pruned.edgeCount) trustworthiness \(trust) threads \(threads)")
    if let out = env["EMBEVAL_UMAP_BENCH_OUT"] { try NumpyArray.write(result.embedding, to: URL(fileURLWithPath: out)) }
}
