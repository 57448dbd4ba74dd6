import Foundation

/// The projections `embeval explore` draws.
public enum MapMethod: String, CaseIterable, Sendable, Codable {
    case pca, tsne, umap

    /// A comma-separated list as typed: `pca,tsne,umap`.
    public static func list(parsing text: String) throws -> [MapMethod] {
        try text.split(separator: ",").map { part in
            guard let method = MapMethod(rawValue: part.trimmingCharacters(in: .whitespaces)) else {
                throw ProjectionError.invalidParameter("'\(part)' is not a map method (expected pca, tsne or umap)")
            }
            return method
        }
    }
}

/// A map that can take new points later (`explore --map saved.map --add new.npy`): the method, the PCA pre-step,
/// and what the method's transform needs (t-SNE: the reference input and map; UMAP: its fitted state).
public struct SavedMap: Codable, Sendable {
    public var method: MapMethod
    public var dimensions: Int
    /// Width of the embeddings the map was made from (before the PCA pre-step).
    public var inputWidth: Int
    /// Whether rows were L2-normalised before the PCA pre-step.
    public var normalized: Bool
    public var pcaMean: [Float]?
    public var pcaComponents: [Float]?
    public var pcaRank: Int?
    public var tsneReference: [Float]?
    public var tsneMap: [Float]?
    public var tsnePerplexity: Double?
    public var umap: UMAPResult?

    /// Writes the map as JSON (what `load` reads), its arrays streamed to disk: a UMAP or t-SNE map of a million
    /// points holds ~50 million numbers, which `JSONEncoder` would first turn into a tree several GB large.
    public func write(to url: URL) throws {
        let document: StreamedJSON
        do {
            document = .object([
                ("method", try .encoding(method)), ("dimensions", try .encoding(dimensions)),
                ("inputWidth", try .encoding(inputWidth)), ("normalized", try .encoding(normalized)),
                ("pcaMean", pcaMean.map { .floats($0) }), ("pcaComponents", pcaComponents.map { .floats($0) }),
                ("pcaRank", try pcaRank.map { try .encoding($0) }),
                ("tsneReference", tsneReference.map { .floats($0) }), ("tsneMap", tsneMap.map { .floats($0) }),
                ("tsnePerplexity", try tsnePerplexity.map { try .encoding($0) }),
                ("umap", try umap.map { try $0.streamedJSON() }),
            ])
        } catch {
            throw OutputError.cannotWrite(path: url.path, reason: "cannot encode the map: \(error)")
        }
        try document.write(to: url.path)
    }

    public static func load(from url: URL) throws -> SavedMap {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ProjectionError.invalidMap(path: url.path, reason: "cannot read it")
        }
        let map: SavedMap
        do {
            var reader = JSONReader([UInt8](data))
            map = try SavedMap(reading: &reader)
            try reader.end()
        } catch {
            throw ProjectionError.invalidMap(path: url.path, reason: "not a map saved by embeval explore (\(error))")
        }
        if let problem = map.problem { throw ProjectionError.invalidMap(path: url.path, reason: problem) }
        return map
    }

    /// What makes a decoded map unusable (sizes that do not fit together, non-finite values), or nil.
    var problem: String? {
        guard (2...3).contains(dimensions) else { return "dimensions \(dimensions) (expected 2 or 3)" }
        guard inputWidth >= 1 else { return "input width \(inputWidth)" }
        var width = inputWidth
        if pcaMean != nil || pcaComponents != nil || pcaRank != nil {
            guard let mean = pcaMean, let components = pcaComponents, let rank = pcaRank, rank >= 1 else {
                return "an incomplete PCA pre-step (mean, components and rank go together)"
            }
            let (size, overflow) = rank.multipliedReportingOverflow(by: inputWidth)
            guard mean.count == inputWidth, !overflow, components.count == size else {
                return "PCA mean of \(mean.count) and components of \(components.count) values do not fit rank \(rank) × width \(inputWidth)"
            }
            guard mean.allSatisfy(\.isFinite), components.allSatisfy(\.isFinite) else { return "non-finite PCA values" }
            width = rank
        }
        switch method {
        case .pca:
            guard width >= dimensions else { return "a PCA of \(width) component(s) cannot give \(dimensions) coordinates" }
        case .tsne:
            guard let reference = tsneReference, let map = tsneMap else { return "a t-SNE map without its reference" }
            let rows = reference.count / width
            let (size, overflow) = rows.multipliedReportingOverflow(by: dimensions)
            guard reference.count % width == 0, rows >= 4, !overflow, map.count == size else {
                return "t-SNE reference of \(reference.count) values and map of \(map.count) do not fit width \(width) × \(dimensions) dimensions"
            }
            guard reference.allSatisfy(\.isFinite), map.allSatisfy(\.isFinite) else { return "non-finite t-SNE values" }
            if let p = tsnePerplexity, !(p.isFinite && p > 0) { return "perplexity \(p)" }
        case .umap:
            guard let umap else { return "a UMAP map without its fitted state" }
            guard umap.reference.columns == width, umap.embedding.columns == dimensions else {
                return "UMAP state of width \(umap.reference.columns) and \(umap.embedding.columns) dimensions, expected \(width) and \(dimensions)"
            }
        }
        return nil
    }

    /// The input a method sees: rows L2-normalised (if the map was made so), then the PCA pre-step.
    func prepare(_ x: Matrix) throws -> Matrix {
        guard x.columns == inputWidth else {
            throw ProjectionError.incompatibleInput("--add: new embeddings are \(x.columns)-dimensional, the map was made from \(inputWidth)-dimensional embeddings")
        }
        var input = normalized ? x.l2NormalizedRows() : x
        if let mean = pcaMean, let components = pcaComponents, let rank = pcaRank {
            input = PCAResult.project(input, mean: mean, components: Matrix(rows: rank, columns: inputWidth, values: components))
        }
        return input
    }

    /// Places new embeddings on the map without moving the old points.
    public func add(_ x: Matrix) throws -> Matrix {
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
            throw ProjectionError.nonFinite(input: "--add points", row: bad / max(x.columns, 1))
        }
        let input = try prepare(x)
        switch method {
        case .pca:
            return Matrix(rows: input.rows, columns: dimensions, values: (0..<input.rows).flatMap { input.row($0).prefix(dimensions) })
        case .tsne:
            guard let reference = tsneReference, let map = tsneMap else { throw ProjectionError.invalidMap(path: "t-SNE", reason: "lacks its reference") }
            var tsne = TSNE(dimensions: dimensions)
            tsne.perplexity = tsnePerplexity ?? 30
            return try tsne.transform(input, referenceData: Matrix(rows: reference.count / input.columns, columns: input.columns, values: reference),
                                      referenceMap: Matrix(rows: map.count / dimensions, columns: dimensions, values: map))
        case .umap:
            guard let umap else { throw ProjectionError.invalidMap(path: "UMAP", reason: "lacks its fitted state") }
            return try umap.parameters.transform(input, onto: umap)
        }
    }
}

/// How good a map is: does it keep neighbourhoods (trustworthiness) and classes (kNN accuracy in the map against
/// the same accuracy in the space the map was made from)?
public struct MapQuality: Sendable {
    /// Trustworthiness at k = 10 (see `Trustworthiness`).
    public let trustworthiness: Double
    /// Leave-one-out kNN top-1 (k = 10, majority vote) with Euclidean distance in the map, in percent.
    public let knnAccuracyMap: Double
    /// The same vote with Euclidean distance in the map's input space.
    public let knnAccuracyInput: Double
    /// Points used: a seeded subset of at most 5,000.
    public let points: Int

    public init(input: Matrix, map: Matrix, labels: [Int]?, seed: UInt64, maximumPoints: Int = 5000) {
        let rows = input.rows <= maximumPoints ? Array(0..<input.rows)
            : { var g = SeededGenerator(seed: seed); return g.permutation(input.rows).prefix(maximumPoints).sorted() }()
        let x = input.selectingRows(rows), y = map.selectingRows(rows)
        points = rows.count
        trustworthiness = rows.count > 21 ? Trustworthiness.score(original: x, map: y, k: 10) : .nan
        if let labels, rows.count > 10 {
            let subset = rows.map { labels[$0] }
            knnAccuracyMap = Self.euclideanKNNAccuracy(y, labels: subset)
            knnAccuracyInput = Self.euclideanKNNAccuracy(x, labels: subset)
        } else {
            knnAccuracyMap = .nan
            knnAccuracyInput = .nan
        }
    }

    /// Leave-one-out majority vote of the 10 nearest points by Euclidean distance.
    static func euclideanKNNAccuracy(_ m: Matrix, labels: [Int]) -> Double {
        let neighbours = NearestNeighbors.euclidean(queries: m, references: m, k: 10, excludingSelf: true)
        let result = KNNClassifier(ks: [10], weighting: .uniform).vote(neighbours, ks: [10], queryLabels: labels, referenceLabels: labels)
        return result[0].top1Accuracy
    }
}

/// Builds maps of one embedding set with shared settings.
public struct MapBuilder: Sendable {
    public var dimensions = 2
    /// Components of the PCA pre-step for t-SNE and UMAP (skipped when the embeddings are narrower).
    public var pcaDimensions = 50
    public var seed: UInt64 = 0
    public var perplexity = 30.0
    public var neighbors = 15
    public var minDist = 0.1
    /// L2-normalise rows first, so distances follow the cosine geometry the metrics use.
    public var normalize = true
    /// Every map bit-reproducible from `seed` (the default, and what an explicit `--seed` asks for). When false,
    /// UMAP's SGD layout runs on all cores, racing on coordinates as umap-learn's unseeded mode does.
    public var reproducible = true

    /// The memory a map may use: half of it for the fit's neighbour graph.
    public var memoryBytes = ProcessMemory.limit

    /// Peak bytes per (point, neighbour) entry of a fit's neighbour graph and affinities, as measured (`explore` of
    /// 20,001 points at 900 and 15 neighbours: t-SNE 32.5, UMAP 69), rounded up.
    static let tsneBytesPerNeighbour = 40, umapBytesPerNeighbour = 72

    /// Refuses a fit of `neighbours` for each of `points` that would take more than half of `memoryBytes`;
    /// `remedy` gets the most neighbours that would fit.
    func checkNeighbourMemory(method: String, points: Int, neighbours: Int, bytesPerNeighbour: Int, remedy: (Int) -> String) throws {
        guard let excess = ProcessMemory.neighbourListExcess(points: points, neighbours: neighbours, bytesPerNeighbour: bytesPerNeighbour,
                                                             memoryBytes: memoryBytes) else { return }
        throw ProjectionError.tooLargeForMemory(method: method, points: points, neighbours: neighbours, needed: excess.needed,
                                                available: memoryBytes, remedy: remedy(excess.most))
    }

    /// Threads of UMAP's SGD layout: 1 when reproducible, else every active core.
    public var umapLayoutThreads: Int { reproducible ? 1 : min(ProcessInfo.activeCores, 1_024) }

    public init() {}

    /// The input of every map: normalised rows, PCA to `pcaDimensions`; with the PCA fit for saving.
    /// Rows mapped from disk are normalised a block at a time, never copied raw.
    public func input<Rows: RowBlocks>(_ x: Rows) throws -> (matrix: Matrix, pca: PCAResult?, normalized: Matrix) {
        let normalized = normalize ? x.l2NormalizedRows() : (x as? Matrix ?? x.materialized())
        guard x.columns > pcaDimensions else { return (normalized, nil, normalized) }
        let pca = try PCA.fit(normalized, components: pcaDimensions, seed: seed)
        return (pca.transform(normalized), pca, normalized)
    }

    /// One map of `x` (already passed through `input`), as coordinates and a savable map.
    public func build(_ method: MapMethod, input: (matrix: Matrix, pca: PCAResult?, normalized: Matrix), width: Int) throws
        -> (coordinates: Matrix, saved: SavedMap, details: [(String, JSONValue)]) {
        var saved = SavedMap(method: method, dimensions: dimensions, inputWidth: width, normalized: normalize,
                             pcaMean: input.pca?.mean, pcaComponents: input.pca?.components.values,
                             pcaRank: input.pca?.components.rows)
        let x = input.matrix, n = x.rows
        switch method {
        case .pca:
            // The map's own PCA of the normalised embeddings: its first `dimensions` components.
            let pca = try PCA.fit(input.normalized, components: min(dimensions, input.normalized.columns), seed: seed)
            saved.pcaMean = pca.mean
            saved.pcaComponents = pca.components.values
            saved.pcaRank = pca.components.rows
            return (pca.transform(input.normalized), saved,
                    [("explained_variance_ratio", .array(pca.explainedVarianceRatio.map { .number($0) }))])
        case .tsne:
            guard Double(n - 1) >= 3 * perplexity else {
                throw ProjectionError.tooFewPoints(method: "t-SNE with perplexity \(perplexity)", needed: Int(exactly: (3 * perplexity).rounded(.down)).map { $0 < Int.max ? $0 + 1 : $0 } ?? Int.max, got: n,
                                                   remedy: "lower --perplexity")
            }
            try checkNeighbourMemory(method: "t-SNE with perplexity \(perplexity)", points: n, neighbours: Int(3 * perplexity),
                                     bytesPerNeighbour: Self.tsneBytesPerNeighbour) { most in
                most >= 3 ? "lower --perplexity to \(most / 3) or less" : "even perplexity 1 does not fit: map fewer points"
            }
            var tsne = TSNE(dimensions: dimensions, perplexity: perplexity, seed: seed)
            tsne.method = .auto
            let result = try tsne.fit(x)
            saved.tsneReference = x.values
            saved.tsneMap = result.embedding.values
            saved.tsnePerplexity = result.perplexity
            return (result.embedding, saved, [("perplexity", .number(result.perplexity)), ("kl_divergence", .number(result.klDivergence)),
                                              ("gradient", .string(result.method.rawValue))])
        case .umap:
            guard n > neighbors else {
                throw ProjectionError.tooFewPoints(method: "UMAP with --neighbors \(neighbors)", needed: neighbors < Int.max ? neighbors + 1 : neighbors, got: n,
                                                   remedy: "lower --neighbors")
            }
            try checkNeighbourMemory(method: "UMAP with --neighbors \(neighbors)", points: n, neighbours: neighbors,
                                     bytesPerNeighbour: Self.umapBytesPerNeighbour) { most in
                most >= 2 ? "lower --neighbors to \(most) or less" : "even --neighbors 2 does not fit: map fewer points"
            }
            var umap = UMAP(neighbors: neighbors, minDist: minDist, dimensions: dimensions, seed: seed)
            umap.layoutThreads = umapLayoutThreads
            let result = try umap.fit(x)
            saved.umap = result
            return (result.embedding, saved, [("n_neighbors", .int(neighbors)), ("min_dist", .number(minDist)),
                                              ("a", .number(result.a)), ("b", .number(result.b)),
                                              ("layout_threads", .int(umap.layoutThreads))])
        }
    }
}

extension SavedMap {
    /// The members `write(to:)` writes, in any order (others are skipped, as `JSONDecoder` skips them), read by
    /// `JSONReader` so that a map of a million points loads without a tree of its numbers.
    init(reading reader: inout JSONReader) throws {
        var method: MapMethod?, dimensions: Int?, inputWidth: Int?, normalized: Bool?, pcaRank: Int?, tsnePerplexity: Double?
        var pcaMean: [Float]?, pcaComponents: [Float]?, tsneReference: [Float]?, tsneMap: [Float]?, umap: UMAPResult?
        try reader.readObject { key, member in
            switch key {
            case "method": method = try member.decode(MapMethod.self)
            case "dimensions": dimensions = try member.decode(Int.self)
            case "inputWidth": inputWidth = try member.decode(Int.self)
            case "normalized": normalized = try member.decode(Bool.self)
            case "pcaMean": pcaMean = try member.readFloats()
            case "pcaComponents": pcaComponents = try member.readFloats()
            case "pcaRank": pcaRank = try member.decode(Int.self)
            case "tsneReference": tsneReference = try member.readFloats()
            case "tsneMap": tsneMap = try member.readFloats()
            case "tsnePerplexity": tsnePerplexity = try member.decode(Double.self)
            case "umap": umap = try UMAPResult(reading: &member)
            default: break
            }
        }
        guard let method, let dimensions, let inputWidth, let normalized else {
            throw JSONReader.Problem(offset: 0, reason: "a map needs its method, dimensions, inputWidth and normalized")
        }
        self.init(method: method, dimensions: dimensions, inputWidth: inputWidth, normalized: normalized, pcaMean: pcaMean,
                  pcaComponents: pcaComponents, pcaRank: pcaRank, tsneReference: tsneReference, tsneMap: tsneMap,
                  tsnePerplexity: tsnePerplexity, umap: umap)
    }
}
