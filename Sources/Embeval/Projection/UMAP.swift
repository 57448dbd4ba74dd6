import Foundation

/// Uniform Manifold Approximation and Projection (McInnes, Healy & Melville 2018) with umap-learn's defaults and
/// numerical rules: kNN graph (self included, exact or nearest-neighbour descent), `smooth_knn_dist`, fuzzy union,
/// spectral initialisation (noise 1e-4 after scaling to ±10, then rescaled to [0, 10]), edges weaker than
/// max/n_epochs dropped, and SGD with negative sampling; `transform` places new points on a fitted map as
/// umap-learn's `transform` does.
public struct UMAP: Sendable, Equatable, Codable {
    public var neighbors = 15
    public var minDist = 0.1
    public var spread = 1.0
    public var dimensions = 2
    /// nil: 500 for up to 10,000 points, else 200 (umap-learn's rule).
    public var epochs: Int? = nil
    public var seed: UInt64 = 0
    public var negativeSampleRate = 5
    public var learningRate = 1.0
    public var repulsionStrength = 1.0
    public var localConnectivity = 1.0
    public var setOpMixRatio = 1.0
    /// Up to this many points the kNN graph is exact (blocked sgemm); above it, nearest-neighbour descent.
    public var exactNeighborsLimit = 20_000
    /// Threads for the SGD layout. 1 (default) is bit-reproducible from the seed; more threads race on coordinates
    /// as umap-learn's parallel mode does.
    public var layoutThreads = 1

    public init(neighbors: Int = 15, minDist: Double = 0.1, spread: Double = 1, dimensions: Int = 2,
                epochs: Int? = nil, seed: UInt64 = 0) {
        self.neighbors = neighbors
        self.minDist = minDist
        self.spread = spread
        self.dimensions = dimensions
        self.epochs = epochs
        self.seed = seed
    }

    /// Lays out the rows of `x`.
    public func fit(_ x: Matrix) throws -> UMAPResult {
        try validate(x, what: "UMAP input")
        guard neighbors >= 2 else { throw ProjectionError.invalidParameter("UMAP: n_neighbors must be at least 2 (got \(neighbors))") }
        guard x.rows > neighbors else {
            throw ProjectionError.tooFewPoints(method: "UMAP with n_neighbors=\(neighbors)", needed: neighbors + 1, got: x.rows, remedy: "lower --neighbors")
        }
        guard dimensions >= 1 else { throw ProjectionError.invalidParameter("UMAP: dimensions must be at least 1") }
        guard spread > 0, minDist >= 0, minDist <= spread else {
            throw ProjectionError.invalidParameter("UMAP: need 0 ≤ min_dist ≤ spread and spread > 0 (min_dist \(minDist), spread \(spread))")
        }
        let n = x.rows
        let knn = x.rows <= exactNeighborsLimit
            ? EuclideanNeighbors.exact(queries: x, references: x, k: neighbors, includingSelf: true)
            : NearestNeighborDescent(k: neighbors, seed: seed).graph(x)
        let (sigmas, rhos) = UMAPFuzzySet.smoothKNNDistances(knn, k: Double(neighbors), localConnectivity: localConnectivity)
        let graph = UMAPFuzzySet.graph(knn, sigmas: sigmas, rhos: rhos, setOpMixRatio: Float(setOpMixRatio))
        let (a, b) = UMAPCurve.fit(minDist: minDist, spread: spread)

        let defaultEpochs = n <= 10_000 ? 500 : 200
        let nEpochs = epochs ?? defaultEpochs
        let maxWeight = graph.weights.max() ?? 0
        let layoutGraph = graph.pruned(below: maxWeight / Float(nEpochs > 10 ? nEpochs : defaultEpochs))

        var g = SeededGenerator(seed: seed)
        var embedding: Matrix
        if let spectral = SpectralLayout.layout(graph: layoutGraph, data: x, dimensions: dimensions, seed: seed) {
            let maxAbs = spectral.values.map { abs($0) }.max() ?? 1
            let expansion = maxAbs > 0 ? 10 / maxAbs : 1
            embedding = Matrix(rows: n, columns: dimensions,
                               values: spectral.values.map { $0 * expansion + Float(0.0001 * gaussian(&g)) })
        } else {
            embedding = Matrix(rows: n, columns: dimensions,
                               values: (0..<(n * dimensions)).map { _ in Float(uniform(&g) * 20 - 10) })
        }
        // Rescale every coordinate to [0, 10].
        for c in 0..<dimensions {
            var lo = Float.infinity, hi = -Float.infinity
            for i in 0..<n { lo = min(lo, embedding[i, c]); hi = max(hi, embedding[i, c]) }
            let width = hi - lo
            for i in 0..<n { embedding[i, c] = width > 0 ? 10 * (embedding[i, c] - lo) / width : 0 }
        }
        let layout = UMAPLayout(a: Float(a), b: Float(b), gamma: Float(repulsionStrength), initialAlpha: Float(learningRate),
                                negativeSampleRate: negativeSampleRate, threads: layoutThreads)
        layout.optimize(head: &embedding, tail: nil, graph: layoutGraph, epochs: nEpochs, seed: g.next())
        return UMAPResult(parameters: self, reference: x, embedding: embedding, sigmas: sigmas, rhos: rhos,
                          a: a, b: b, graph: graph)
    }

    /// Places new rows onto a fitted map without moving it (umap-learn's `transform`): their `neighbors` nearest
    /// reference points, memberships with local connectivity reduced by one, an initial position at the
    /// membership-weighted mean of the neighbours' map positions (a neighbour of membership 1 — a duplicate — is
    /// copied), then n_epochs/3 (default: 100 for up to 10,000 new points, else 30) epochs at a quarter of the
    /// learning rate against the fixed reference map.
    public func transform(_ new: Matrix, onto fitted: UMAPResult) throws -> Matrix {
        try validate(new, what: "UMAP transform input")
        guard new.columns == fitted.reference.columns else {
            throw ProjectionError.incompatibleInput("UMAP transform: new points have \(new.columns) columns, the map was fitted on \(fitted.reference.columns)")
        }
        let p = fitted.parameters
        let m = new.rows, dim = fitted.embedding.columns
        guard m > 0 else { return Matrix(rows: 0, columns: dim) }
        let k = min(p.neighbors, fitted.reference.rows)
        let knn = EuclideanNeighbors.exact(queries: new, references: fitted.reference, k: k, includingSelf: false)
        let (sigmas, rhos) = UMAPFuzzySet.smoothKNNDistances(knn, k: Double(p.neighbors),
                                                             localConnectivity: max(0, p.localConnectivity - 1))
        let vals = UMAPFuzzySet.memberships(knn, sigmas: sigmas, rhos: rhos, bipartite: true)
        // Graph rows sorted by reference index, as SciPy's CSR has them.
        var graph = UMAPGraph(rows: m, columns: fitted.reference.rows, heads: [], tails: [], weights: [])
        var embedding = Matrix(rows: m, columns: dim)
        for i in 0..<m {
            let order = (0..<k).sorted { knn.indices[i * k + $0] < knn.indices[i * k + $1] }
            let total = order.reduce(Float(0)) { $0 + vals[i * k + $1] }
            var copied = false
            for t in order where vals[i * k + t] != 0 {
                let j = Int(knn.indices[i * k + t]), v = vals[i * k + t]
                graph.heads.append(Int32(i)); graph.tails.append(Int32(j)); graph.weights.append(v)
                if copied { continue }
                if v == 1 {
                    for c in 0..<dim { embedding[i, c] = fitted.embedding[j, c] }
                    copied = true
                } else {
                    for c in 0..<dim { embedding[i, c] += v / total * fitted.embedding[j, c] }
                }
            }
        }
        let nEpochs = p.epochs.map { max(1, $0 / 3) } ?? (m <= 10_000 ? 100 : 30)
        let maxWeight = graph.weights.max() ?? 0
        let pruned = graph.pruned(below: maxWeight / Float(nEpochs))
        var g = SeededGenerator(seed: p.seed ^ 0x7F4A_7C15)
        let layout = UMAPLayout(a: Float(fitted.a), b: Float(fitted.b), gamma: Float(p.repulsionStrength),
                                initialAlpha: Float(p.learningRate / 4), negativeSampleRate: p.negativeSampleRate,
                                threads: p.layoutThreads)
        layout.optimize(head: &embedding, tail: fitted.embedding, graph: pruned, epochs: nEpochs, seed: g.next())
        return embedding
    }

    private func validate(_ x: Matrix, what: String) throws {
        for i in 0..<x.rows {
            for c in 0..<x.columns where !x.values[i * x.columns + c].isFinite {
                throw ProjectionError.nonFinite(input: what, row: i)
            }
        }
    }
}

/// A fitted UMAP map: everything `transform` needs, as plain stored values so it can be saved and loaded.
extension UMAP {
    /// What makes these parameters unusable (out of range or not finite), or nil: checked for maps read from disk.
    var problem: String? {
        if !(2...10_000).contains(neighbors) { return "n_neighbors \(neighbors)" }
        if !(1...3).contains(dimensions) { return "dimensions \(dimensions)" }
        if let epochs, !(1...100_000).contains(epochs) { return "epochs \(epochs)" }
        if !(0...1_000).contains(negativeSampleRate) { return "negative sample rate \(negativeSampleRate)" }
        if !(1...1_024).contains(layoutThreads) { return "layout threads \(layoutThreads)" }
        if exactNeighborsLimit < 0 { return "exact neighbours limit \(exactNeighborsLimit)" }
        for (name, value) in [("min_dist", minDist), ("spread", spread), ("learning rate", learningRate),
                              ("repulsion strength", repulsionStrength), ("local connectivity", localConnectivity),
                              ("set-op mix ratio", setOpMixRatio)] where !value.isFinite || value < 0 || value > 1e6 {
            return "\(name) \(value)"
        }
        if spread <= 0 || minDist > spread || setOpMixRatio > 1 { return "min_dist \(minDist), spread \(spread), mix ratio \(setOpMixRatio)" }
        return nil
    }
}

public struct UMAPResult: Sendable, Equatable, Codable {
    /// The parameters it was fitted with.
    public var parameters: UMAP
    /// The fitted input rows (N × d).
    public var reference: Matrix
    /// The map (N × dimensions).
    public var embedding: Matrix
    /// Per-point smooth-kNN bandwidths and nearest-neighbour distances.
    public var sigmas: [Float]
    public var rhos: [Float]
    /// The curve 1 / (1 + a·d^(2b)).
    public var a: Double
    public var b: Double
    /// The symmetric fuzzy graph (before pruning for the layout).
    public var graph: UMAPGraph

    public init(parameters: UMAP, reference: Matrix, embedding: Matrix, sigmas: [Float], rhos: [Float],
                a: Double, b: Double, graph: UMAPGraph) {
        self.parameters = parameters
        self.reference = reference
        self.embedding = embedding
        self.sigmas = sigmas
        self.rhos = rhos
        self.a = a
        self.b = b
        self.graph = graph
    }
}

extension UMAPResult {
    enum CodingKeys: String, CodingKey { case parameters, rows, columns, reference, dimensions, embedding, sigmas, rhos, a, b, graph }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let parts = SavedParts(parameters: try c.decode(UMAP.self, forKey: .parameters),
                               rows: try c.decode(Int.self, forKey: .rows), columns: try c.decode(Int.self, forKey: .columns),
                               dimensions: try c.decode(Int.self, forKey: .dimensions),
                               reference: try c.decode([Float].self, forKey: .reference),
                               embedding: try c.decode([Float].self, forKey: .embedding),
                               sigmas: try c.decode([Float].self, forKey: .sigmas), rhos: try c.decode([Float].self, forKey: .rhos),
                               a: try c.decode(Double.self, forKey: .a), b: try c.decode(Double.self, forKey: .b),
                               graph: try c.decode(UMAPGraph.self, forKey: .graph))
        if let problem = parts.problem { throw DecodingError.dataCorruptedError(forKey: .embedding, in: c, debugDescription: problem) }
        self.init(parts)
    }

    /// The members `init(from:)` decodes, from a saved map read member by member (`JSONReader`), checked alike.
    init(reading reader: inout JSONReader) throws {
        var parameters: UMAP?, rows: Int?, columns: Int?, dimensions: Int?, a: Double?, b: Double?, graph: UMAPGraph?
        var reference: [Float]?, embedding: [Float]?, sigmas: [Float]?, rhos: [Float]?
        try reader.readObject { key, member in
            switch key {
            case "parameters": parameters = try member.decode(UMAP.self)
            case "rows": rows = try member.decode(Int.self)
            case "columns": columns = try member.decode(Int.self)
            case "dimensions": dimensions = try member.decode(Int.self)
            case "reference": reference = try member.readFloats()
            case "embedding": embedding = try member.readFloats()
            case "sigmas": sigmas = try member.readFloats()
            case "rhos": rhos = try member.readFloats()
            case "a": a = try member.decode(Double.self)
            case "b": b = try member.decode(Double.self)
            case "graph": graph = try UMAPGraph(reading: &member)
            default: break
            }
        }
        guard let parameters, let rows, let columns, let dimensions, let reference, let embedding, let sigmas, let rhos,
              let a, let b, let graph else {
            throw JSONReader.Problem(offset: 0, reason: "UMAP map: a member of its fitted state is missing")
        }
        let parts = SavedParts(parameters: parameters, rows: rows, columns: columns, dimensions: dimensions, reference: reference,
                               embedding: embedding, sigmas: sigmas, rhos: rhos, a: a, b: b, graph: graph)
        if let problem = parts.problem { throw JSONReader.Problem(offset: 0, reason: problem) }
        self.init(parts)
    }

    /// A saved result's members as stored, before they are checked against each other.
    struct SavedParts {
        var parameters: UMAP
        var rows: Int, columns: Int, dimensions: Int
        var reference: [Float], embedding: [Float], sigmas: [Float], rhos: [Float]
        var a: Double, b: Double
        var graph: UMAPGraph

        /// Why the parts do not make one map (sizes that disagree, non-finite values, bad parameters), or nil.
        var problem: String? {
            let (referenceSize, overflowR) = rows.multipliedReportingOverflow(by: columns)
            let (embeddingSize, overflowE) = rows.multipliedReportingOverflow(by: dimensions)
            guard rows >= 1, columns >= 1, dimensions >= 1, !overflowR, !overflowE, reference.count == referenceSize,
                  embedding.count == embeddingSize, reference.allSatisfy(\.isFinite), embedding.allSatisfy(\.isFinite) else {
                return "UMAP map: arrays do not fit \(rows) rows × \(columns) columns / \(dimensions) dimensions, or hold non-finite values"
            }
            if let problem = parameters.problem { return "UMAP parameters: \(problem)" }
            guard a.isFinite, b.isFinite, a > 0, b > 0 else { return "UMAP map: its curve's a = \(a), b = \(b) (expected finite and > 0)" }
            guard sigmas.count == rows, rhos.count == rows else {
                return "UMAP map: \(sigmas.count) sigmas and \(rhos.count) rhos for \(rows) rows"
            }
            guard graph.rows == rows, graph.columns == rows else {
                return "UMAP map: a \(graph.rows) × \(graph.columns) graph for \(rows) rows"
            }
            return nil
        }
    }

    /// Parts whose `problem` is nil.
    private init(_ parts: SavedParts) {
        self.init(parameters: parts.parameters,
                  reference: Matrix(rows: parts.rows, columns: parts.columns, values: parts.reference),
                  embedding: Matrix(rows: parts.rows, columns: parts.dimensions, values: parts.embedding),
                  sigmas: parts.sigmas, rhos: parts.rhos, a: parts.a, b: parts.b, graph: parts.graph)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(reference.rows, forKey: .rows); try c.encode(reference.columns, forKey: .columns)
        try c.encode(embedding.columns, forKey: .dimensions)
        try c.encode(reference.values, forKey: .reference); try c.encode(embedding.values, forKey: .embedding)
        try c.encode(sigmas, forKey: .sigmas); try c.encode(rhos, forKey: .rhos)
        try c.encode(a, forKey: .a); try c.encode(b, forKey: .b); try c.encode(graph, forKey: .graph)
    }

    /// The members `encode(to:)` writes, for a saved map's `StreamedJSON` (its arrays stream to disk).
    func streamedJSON() throws -> StreamedJSON {
        .object([("parameters", try .encoding(parameters)),
                 ("rows", try .encoding(reference.rows)), ("columns", try .encoding(reference.columns)),
                 ("dimensions", try .encoding(embedding.columns)),
                 ("reference", .floats(reference.values)), ("embedding", .floats(embedding.values)),
                 ("sigmas", .floats(sigmas)), ("rhos", .floats(rhos)),
                 ("a", try .encoding(a)), ("b", try .encoding(b)),
                 ("graph", .object([("rows", try .encoding(graph.rows)), ("columns", try .encoding(graph.columns)),
                                    ("heads", .integers(graph.heads)), ("tails", .integers(graph.tails)),
                                    ("weights", .floats(graph.weights))]))])
    }
}


private func uniform(_ g: inout SeededGenerator) -> Double { Double(g.next() >> 11) / Double(1 << 53) }

private func gaussian(_ g: inout SeededGenerator) -> Double {
    let u1 = max(uniform(&g), 1e-300), u2 = uniform(&g)
    return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
}

extension UMAPResult {
    /// New rows placed onto this map with the parameters it was fitted with (see `UMAP.transform`).
    public func transform(_ new: Matrix) throws -> Matrix { try parameters.transform(new, onto: self) }
}
