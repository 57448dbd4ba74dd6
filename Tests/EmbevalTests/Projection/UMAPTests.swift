import Foundation
import Testing
@testable import Embeval

/// umap-learn references from tools/fixtures/projection_umap.py.
private struct UMAPReference: Decodable {
    struct AB: Decodable { let min_dist: Double; let spread: Double; let a: Double; let b: Double }
    struct Smooth: Decodable { let sigmas: [Double]; let rhos: [Double]; let sigmas_lc0: [Double]; let rhos_lc0: [Double] }
    struct Run: Decodable { let seed: Int; let n_epochs: Int?; let trustworthiness: Double; let transform_knn10_accuracy: Double? }
    let ab_params: [AB]
    let smooth_knn_dist: Smooth
    let umap_runs: [Run]
    let heldout_knn10_accuracy_original_space: Double

    static func load() throws -> UMAPReference {
        let data = try Data(contentsOf: TestPaths.fixture("projection/umap_reference.json"))
        return try JSONDecoder().decode(UMAPReference.self, from: data)
    }
}

private func fixtureMatrix(_ name: String) throws -> Matrix { try NumpyArray.readMatrix(at: TestPaths.fixture("projection/\(name)")) }
private func fixtureInts(_ name: String) throws -> [Int] { try NumpyArray.readLabels(at: TestPaths.fixture("projection/\(name)")) }

/// The fixture's kNN of the first 200 input rows (umap-learn's input to smooth_knn_dist / fuzzy_simplicial_set).
private func smallKNN() throws -> EuclideanNeighbors {
    let idx = try fixtureMatrix("umap_small_knn_indices.npy"), dist = try fixtureMatrix("umap_small_knn_dists.npy")
    return EuclideanNeighbors(k: 15, indices: idx.values.map { Int32($0) }, distances: dist.values)
}

/// One 200-epoch fit of the 1,500-point input, shared by the tests that need it (debug builds are slow).
private let fashionFit: Result<(Matrix, UMAPResult), Error> = Result {
    let x = try fixtureMatrix("umap_input.npy")
    return (x, try UMAP(epochs: 200, seed: 7).fit(x))
}

private func majorityLabel(_ neighbours: [Int], labels: [Int]) -> Int {
    var counts = [Int: Int]()
    for j in neighbours { counts[labels[j], default: 0] += 1 }
    return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
}

@Test func curveParametersMatchUmapLearn() throws {
    for r in try UMAPReference.load().ab_params {
        let (a, b) = UMAPCurve.fit(minDist: r.min_dist, spread: r.spread)
        #expect(abs(a - r.a) <= 1e-4 * max(1, abs(r.a)), "a for min_dist \(r.min_dist), spread \(r.spread): \(a) vs \(r.a)")
        #expect(abs(b - r.b) <= 1e-4 * max(1, abs(r.b)), "b for min_dist \(r.min_dist), spread \(r.spread): \(b) vs \(r.b)")
    }
}

@Test func exactNeighboursMatchTheFixture() throws {
    let x = try fixtureMatrix("umap_input.npy").selectingRows(Array(0..<200))
    let ours = EuclideanNeighbors.exact(queries: x, references: x, k: 15, includingSelf: true)
    let ref = try smallKNN()
    #expect(ours.indices == ref.indices)
    for (a, b) in zip(ours.distances, ref.distances) { #expect(abs(a - b) <= 1e-4 * max(1, b)) }
}

@Test func smoothKNNDistancesMatchUmapLearn() throws {
    let ref = try UMAPReference.load().smooth_knn_dist
    let knn = try smallKNN()
    for (lc, sig, rho) in [(1.0, ref.sigmas, ref.rhos), (0.0, ref.sigmas_lc0, ref.rhos_lc0)] {
        let (s, r) = UMAPFuzzySet.smoothKNNDistances(knn, k: 15, localConnectivity: lc)
        for i in 0..<s.count {
            #expect(abs(Double(s[i]) - sig[i]) <= 1e-4 * max(1, sig[i]), "sigma \(i) (local connectivity \(lc))")
            #expect(abs(Double(r[i]) - rho[i]) <= 1e-4 * max(1, rho[i]), "rho \(i) (local connectivity \(lc))")
        }
    }
}

@Test func fuzzyGraphMatchesUmapLearn() throws {
    let knn = try smallKNN()
    let (s, r) = UMAPFuzzySet.smoothKNNDistances(knn, k: 15)
    let g = UMAPFuzzySet.graph(knn, sigmas: s, rhos: r)
    let rows = try fixtureInts("umap_small_graph_rows.npy"), cols = try fixtureInts("umap_small_graph_cols.npy")
    let vals = try fixtureMatrix("umap_small_graph_vals.npy").values
    #expect(g.heads.map(Int.init) == rows)
    #expect(g.tails.map(Int.init) == cols)
    #expect(g.weights.count == vals.count)
    for (a, b) in zip(g.weights, vals) { #expect(abs(a - b) <= 1e-4) }
}

@Test func nearestNeighbourDescentFindsAlmostAllTrueNeighbours() throws {
    let x = try fixtureMatrix("umap_input.npy").selectingRows(Array(0..<800))
    let exact = EuclideanNeighbors.exact(queries: x, references: x, k: 15, includingSelf: true)
    let approx = NearestNeighborDescent(k: 15, seed: 3).graph(x)
    #expect(approx == NearestNeighborDescent(k: 15, seed: 3).graph(x))      // reproducible
    var hits = 0
    for i in 0..<x.rows {
        let truth = Set(exact.indices[(i * 15)..<((i + 1) * 15)])
        hits += approx.indices[(i * 15)..<((i + 1) * 15)].filter { truth.contains($0) }.count
        #expect(approx.indices[i * 15] == Int32(i))
    }
    let recall = Double(hits) / Double(15 * x.rows)
    #expect(recall > 0.95, "NN-descent recall \(recall)")
}

@Test func spectralLayoutFindsTheLeadingEigenvectors() throws {
    // A weighted path of 40 vertices (self-loops of weight 1 at the ends make every degree 2): the normalised
    // adjacency is then the path's random-walk operator, eigenvalues cos(πk/n), k = 0…n−1, all simple.
    let n = 40
    var heads = [Int32](), tails = [Int32](), weights = [Float]()
    for i in 0..<n {
        var nbrs = [Int]()
        if i > 0 { nbrs.append(i - 1) }
        if i == 0 || i == n - 1 { nbrs.append(i) }
        if i < n - 1 { nbrs.append(i + 1) }
        for j in nbrs { heads.append(Int32(i)); tails.append(Int32(j)); weights.append(1) }
    }
    let g = UMAPGraph(rows: n, columns: n, heads: heads, tails: tails, weights: weights)
    let v = try #require(SpectralLayout.eigenvectors(graph: g, vertices: Array(0..<n), dimensions: 2, seed: 1,
                                                    tolerance: 1e-8, maxSteps: 39))
    for c in 0..<2 {
        var norm = 0.0, rayleigh = 0.0
        for e in 0..<g.edgeCount {
            rayleigh += Double(v[Int(g.heads[e]), c]) * 0.5 * Double(v[Int(g.tails[e]), c])
        }
        for i in 0..<n { norm += Double(v[i, c] * v[i, c]) }
        #expect(abs(norm - 1) < 1e-4)
        #expect(abs(rayleigh / norm - cos(Double.pi * Double(c + 1) / Double(n))) < 1e-6)
    }
}

@Test func umapKeepsNeighbourhoodsLikeUmapLearn() throws {
    let ref = try UMAPReference.load()
    // 200 epochs keep the debug-build test short; umap-learn's figure for 200 epochs, averaged over its seeds.
    let target = ref.umap_runs.filter { $0.n_epochs == 200 }.map(\.trustworthiness)
    let expected = target.reduce(0, +) / Double(target.count)
    let (x, result) = try fashionFit.get()
    #expect(result.embedding.rows == x.rows && result.embedding.columns == 2)
    #expect(result.embedding.values.allSatisfy { $0.isFinite })
    let t = Trustworthiness.score(original: x, map: result.embedding, k: 10)
    #expect(abs(t - expected) <= 0.01, "trustworthiness \(t) vs umap-learn \(expected)")
    #expect(abs(result.a - 1.5769) < 1e-3 && abs(result.b - 0.8951) < 1e-3)
}

@Test func fitIsReproducibleFromTheSeed() throws {
    let (x, _) = clusteredEmbeddings(rows: 300, columns: 8, classes: 4, seed: 5)
    let a = try UMAP(epochs: 50, seed: 11).fit(x), b = try UMAP(epochs: 50, seed: 11).fit(x)
    #expect(a == b)
    let c = try UMAP(epochs: 50, seed: 12).fit(x)
    #expect(a.embedding != c.embedding)
}

/// A negative sample rate of 0 (which a saved map may hold: it passes the map's checks) made every edge's
/// epochs-per-negative-sample infinite, and the layout trapped converting (epoch − ∞) / ∞ to a count (signal 4 from
/// `explore --map --add`). It now means what it says: no negative samples, only attraction.
@Test func aNegativeSampleRateOfZeroSamplesNoNegatives() throws {
    let (x, _) = clusteredEmbeddings(rows: 120, columns: 8, classes: 3, seed: 6)
    var umap = UMAP(epochs: 30, seed: 3)
    umap.negativeSampleRate = 0
    let fitted = try umap.fit(x)
    #expect(fitted.embedding.values.allSatisfy { $0.isFinite })
    let placed = try UMAP().transform(x.selectingRows([0, 1, 2]), onto: fitted)
    #expect(placed.rows == 3 && placed.values.allSatisfy { $0.isFinite })
}

/// A saved map's learning rate or repulsion past float range (1e39) became an infinite step in float32, and `--add`
/// wrote coordinates of 1e35 or worse: such maps are refused as unusable (at most 10⁶, where umap-learn's are 1).
@Test func aSavedMapWithAStepPastFloatRangeIsUnusable() throws {
    var umap = UMAP(epochs: 30, seed: 3)
    #expect(umap.problem == nil)
    umap.learningRate = 1e39
    #expect(umap.problem == "learning rate 1e+39")
    umap.learningRate = 1
    umap.repulsionStrength = 1e7
    #expect(umap.problem == "repulsion strength 10000000.0")
}

@Test func transformPlacesHeldOutPointsNearTheirClass() throws {
    let ref = try UMAPReference.load()
    let labels = try fixtureInts("umap_labels.npy")
    let h = try fixtureMatrix("umap_heldout.npy"), hl = try fixtureInts("umap_heldout_labels.npy")
    let (_, fitted) = try fashionFit.get()
    let before = fitted.embedding
    let placed = try UMAP().transform(h, onto: fitted)
    #expect(fitted.embedding == before)
    #expect(placed.rows == h.rows && placed.columns == 2)
    let nn = EuclideanNeighbors.exact(queries: placed, references: fitted.embedding, k: 10, includingSelf: false)
    var hits = 0
    for i in 0..<h.rows {
        let votes = nn.indices[(i * 10)..<((i + 1) * 10)].map(Int.init)
        if majorityLabel(votes, labels: labels) == hl[i] { hits += 1 }
    }
    let accuracy = Double(hits) / Double(h.rows)
    let umapLearn = ref.umap_runs.compactMap(\.transform_knn10_accuracy).min()!
    #expect(accuracy >= umapLearn - 0.05, "map kNN accuracy of transformed points \(accuracy) vs umap-learn \(umapLearn)")
}

@Test func savedMapRoundTripsAndTransformsTheSame() throws {
    let (x, _) = clusteredEmbeddings(rows: 120, columns: 6, classes: 3, seed: 9)
    let fitted = try UMAP(epochs: 30, seed: 2).fit(x)
    let loaded = try JSONDecoder().decode(UMAPResult.self, from: JSONEncoder().encode(fitted))
    #expect(loaded == fitted)
    let (y, _) = clusteredEmbeddings(rows: 10, columns: 6, classes: 3, seed: 10)
    #expect(try UMAP().transform(y, onto: loaded) == UMAP().transform(y, onto: fitted))
}

@Test func badInputsGetOneClearError() throws {
    let (x, _) = clusteredEmbeddings(rows: 10, columns: 4, classes: 2, seed: 1)
    #expect(throws: ProjectionError.self) { try UMAP().fit(x) }                          // 10 points, 15 neighbours
    var bad = try fixtureMatrix("umap_heldout.npy")
    bad[3, 2] = .nan
    #expect(throws: ProjectionError.nonFinite(input: "UMAP input", row: 3)) { try UMAP().fit(bad) }
    let fitted = try UMAP(epochs: 20).fit(try fixtureMatrix("umap_heldout.npy"))
    #expect(throws: ProjectionError.self) { try UMAP().transform(x, onto: fitted) }       // 4 columns vs 50
}

@Test func disconnectedClustersAreLaidOutApart() throws {
    // Two tight clusters far apart: the kNN graph has two components (the multi-component spectral path), in 3-D.
    var rows = [[Float]]()
    var g = SeededGenerator(seed: 4)
    for c in 0..<2 { for _ in 0..<60 { rows.append((0..<5).map { _ in Float(c * 100) + Float(g.next() % 1000) / 1000 }) } }
    let x = Matrix(rowVectors: rows)
    let r = try UMAP(dimensions: 3, epochs: 60, seed: 3).fit(x)
    #expect(SpectralLayout.components(r.graph).0 == 2)
    #expect(r.embedding.columns == 3 && r.embedding.values.allSatisfy { $0.isFinite })
    func centroid(_ range: Range<Int>) -> [Float] {
        (0..<3).map { c in range.reduce(Float(0)) { $0 + r.embedding[$1, c] } / Float(range.count) }
    }
    let a = centroid(0..<60), b = centroid(60..<120)
    let between = zip(a, b).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    var within: Float = 0
    for i in 0..<60 { within = max(within, (0..<3).reduce(Float(0)) { $0 + pow(r.embedding[i, $1] - a[$1], 2) }.squareRoot()) }
    #expect(between > within, "clusters \(between) apart, radius \(within)")
}

@Test func layoutPowerIsCloseToPow() {
    for x: Float in [1e-6, 0.003, 0.5, 1, 1.7, 42, 1e4, 3e6] {
        for y: Float in [0.8950608, -0.1049392, 0.5, 1.3] {
            let ours = UMAPLayout.power(x, y), exact = Float(pow(Double(x), Double(y)))
            #expect(abs(ours - exact) <= 1e-4 * exact, "\(x)^\(y): \(ours) vs \(exact)")
        }
    }
}

/// A saved map's graph is read from a file: arrays of different lengths, indices outside the graph or non-finite
/// weights are refused when it is decoded, not left for a later loop over its edges to trap on.
@Test func aSavedGraphThatDoesNotHoldTogetherIsRefused() throws {
    func decode(_ json: String) throws -> UMAPGraph { try JSONDecoder().decode(UMAPGraph.self, from: Data(json.utf8)) }
    let good = try decode(#"{"rows": 2, "columns": 3, "heads": [0, 1], "tails": [2, 0], "weights": [0.5, 1]}"#)
    #expect(good == UMAPGraph(rows: 2, columns: 3, heads: [0, 1], tails: [2, 0], weights: [0.5, 1]))
    for bad in [#"{"rows": 2, "columns": 3, "heads": [0, 1], "tails": [2], "weights": [0.5, 1]}"#,
                #"{"rows": 2, "columns": 3, "heads": [0, 1], "tails": [2, 0], "weights": [0.5]}"#,
                #"{"rows": 2, "columns": 3, "heads": [0, 2], "tails": [2, 0], "weights": [0.5, 1]}"#,
                #"{"rows": 2, "columns": 3, "heads": [0, 1], "tails": [3, 0], "weights": [0.5, 1]}"#,
                #"{"rows": 2, "columns": 3, "heads": [-1, 1], "tails": [2, 0], "weights": [0.5, 1]}"#,
                #"{"rows": -2, "columns": 3, "heads": [], "tails": [], "weights": []}"#,
                #"{"rows": 2, "columns": 3, "heads": [0, 1], "tails": [2, 0], "weights": [0.5, 1e39]}"#] {
        #expect(throws: DecodingError.self, "\(bad)") { try decode(bad) }
    }
}

/// The parts of a saved UMAP map must describe the same points: per-point bandwidths and distances for every row, a
/// graph over exactly the map's rows.
@Test func aSavedMapWhosePartsDisagreeIsRefused() throws {
    let (x, _) = clusteredEmbeddings(rows: 40, columns: 4, classes: 2, seed: 3)
    let saved = try JSONSerialization.jsonObject(with: JSONEncoder().encode(try UMAP(neighbors: 5, epochs: 10, seed: 1).fit(x))) as! [String: Any]
    func tampered(_ change: (inout [String: Any]) -> Void) throws -> Data {
        var copy = saved
        change(&copy)
        return try JSONSerialization.data(withJSONObject: copy)
    }
    _ = try JSONDecoder().decode(UMAPResult.self, from: try tampered { _ in })
    let changes: [(inout [String: Any]) -> Void] = [
        { $0["sigmas"] = Array(($0["sigmas"] as! [Any]).dropLast()) },
        { $0["rhos"] = ($0["rhos"] as! [Any]) + [0.5] },
        { var g = $0["graph"] as! [String: Any]; g["rows"] = 41; g["columns"] = 41; $0["graph"] = g },
        { $0["a"] = 0 }, { $0["b"] = -1.5 },
    ]
    for change in changes {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(UMAPResult.self, from: try tampered(change)) }
    }
}
