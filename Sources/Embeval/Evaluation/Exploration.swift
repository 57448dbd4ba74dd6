import Foundation

/// Which maps `explore` draws and how: methods, dimensions, the PCA pre-step and each method's parameters.
public struct MapSettings: Sendable {
    public var methods: [MapMethod]
    /// 2 or 3.
    public var dimensions: Int
    /// Components of the PCA pre-step of t-SNE and UMAP.
    public var pcaDimensions: Int
    /// Whether a t-SNE or UMAP map is asked for, which runs the PCA pre-step (a PCA map alone does not need it).
    public var usesPCAPreStep: Bool { methods.contains { $0 != .pca } }
    public var perplexity: Double
    /// UMAP's n_neighbors and min_dist.
    public var neighbors: Int
    public var minDist: Double
    /// Image thumbnails in the page (model sources of at most `thumbnailLimit` points).
    public var thumbnails: Bool
    /// Nearest neighbours listed per point in the page (0: none, which skips their exact all-pairs search).
    public var pageNeighbours: Int
    /// Thumbnails are made for at most this many points (they are held in memory while the page is written).
    public static let thumbnailLimit = 100_000
    /// Maps bit-reproducible from the seed (an explicit `--seed`); false lets UMAP's layout use every core.
    public var reproducible: Bool

    public init(methods: [MapMethod] = MapMethod.allCases, dimensions: Int = 2, pcaDimensions: Int = 50,
                perplexity: Double = 30, neighbors: Int = 15, minDist: Double = 0.1, thumbnails: Bool = true,
                pageNeighbours: Int = 10, reproducible: Bool = true) throws {
        guard !methods.isEmpty else { throw EvaluationError.missingInput("--method: expected pca, tsne or umap") }
        guard dimensions == 2 || dimensions == 3 else { throw EvaluationError.invalidParameter(name: "--dims", value: "\(dimensions)", expected: "2 or 3") }
        guard pcaDimensions >= 2 else { throw EvaluationError.invalidParameter(name: "--pca-dims", value: "\(pcaDimensions)", expected: "≥ 2") }
        // Below 1, no distribution has the entropy log(perplexity) < 0 (below 1/3, 3·perplexity rounds to no neighbours).
        guard perplexity.isFinite, perplexity >= 1, perplexity <= 100_000 else {
            throw EvaluationError.invalidParameter(name: "--perplexity", value: "\(perplexity)", expected: "a number ≥ 1 and ≤ 100000")
        }
        guard (2...100_000).contains(neighbors) else { throw EvaluationError.invalidParameter(name: "--neighbors", value: "\(neighbors)", expected: "2…100000") }
        guard minDist.isFinite, minDist >= 0 else { throw EvaluationError.invalidParameter(name: "--min-dist", value: "\(minDist)", expected: "a number ≥ 0") }
        guard pageNeighbours >= 0 && pageNeighbours <= 100 else {
            throw EvaluationError.invalidParameter(name: "--page-neighbours", value: "\(pageNeighbours)", expected: "0…100")
        }
        var seen = Set<MapMethod>()
        self.methods = methods.filter { seen.insert($0).inserted }
        self.dimensions = dimensions
        self.pcaDimensions = pcaDimensions
        self.perplexity = perplexity
        self.neighbors = neighbors
        self.minDist = minDist
        self.thumbnails = thumbnails
        self.pageNeighbours = pageNeighbours
        self.reproducible = reproducible
    }
}

/// Maps of an embedding space: each method's coordinates (`.npy`), plots (`.svg`, `.png`), a saved map to place new
/// points on (`.map`), and one page to browse them all (`explore.html`), with each map's quality figures.
public struct Exploration: Sendable {
    public var source: EmbeddingSource
    public var settings: MapSettings
    /// Also audit the points (`explore --audit`): the page gains its Issues panel, the report the counts.
    public var audit: DataAudit.Settings?
    /// Also train a network reproducing each t-SNE/UMAP map (`explore --parametric`), written as ONNX.
    public var parametric: ParametricMap.Training?

    public init(source: EmbeddingSource, settings: MapSettings, audit: DataAudit.Settings? = nil,
                parametric: ParametricMap.Training? = nil) {
        self.source = source
        self.settings = settings
        self.audit = audit
        self.parametric = parametric
    }

    public func run(into directory: URL, context: EvaluationContext) throws -> ExploreReport {
        let folder = try OutputFolder(directory, kind: "explore", ownedNames: Self.isOutputFile)
        var report: ExploreReport? = nil
        try folder.fill { report = try run(writingInto: $0, finalPath: directory, context: context) }
        guard let report else { throw OutputError.cannotWrite(path: directory.path, reason: "no maps were made") }
        try folder.commit(rows: report.points)
        return report
    }

    /// The names explore writes: `<method>.{npy,svg,png,map}`, `<method>-added.npy`, `<method>-parametric.onnx`,
    /// `<method>-parametric-added.npy`,
    /// `explore.html` and, above `ExplorePage.inlineLimit` points, its data folder `explore_files`.
    static func isOutputFile(_ name: String) -> Bool {
        if name == "explore.html" || name == "explore_files" || name == SetManifest.fileName { return true }
        if name.hasSuffix("-parametric.onnx"), MapMethod(rawValue: String(name.dropLast(16))) != nil { return true }
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return false }
        let method = parts[0].hasSuffix("-parametric-added") ? String(parts[0].dropLast(17))
            : parts[0].hasSuffix("-added") ? String(parts[0].dropLast(6)) : parts[0]
        return MapMethod(rawValue: method) != nil && ["npy", "svg", "png", "map"].contains(parts[1])
    }

    private func run(writingInto directory: URL, finalPath: URL, context: EvaluationContext) throws -> ExploreReport {
        let data = try source.embed(context: context) { data in
            let points = data.primary
            guard points.dimension >= 2 else {
                throw EvaluationError.missingInput("\(data.origin(of: data.sets[0])) have \(points.dimension) dimension: maps need at least 2")
            }
            if settings.methods.contains(.pca), points.dimension < settings.dimensions {
                throw EvaluationError.invalidParameter(name: "--dims", value: "\(settings.dimensions)",
                                                       expected: "at most the embeddings' \(points.dimension) dimensions for a PCA map (it has no more components)")
            }
            if settings.usesPCAPreStep, points.dimension > settings.pcaDimensions,
               points.count < settings.pcaDimensions {
                throw EvaluationError.invalidParameter(name: "--pca-dims", value: "\(settings.pcaDimensions)",
                                                       expected: "at most the \(points.count) points (lower --pca-dims)")
            }
        }
        let points = data.primary
        let title: String
        if case .files(let files, _) = source.origin { title = files.embeddings.lastPathComponent }
        else { title = "\(data.model.name) - \(data.dataset.name)\(data.dataset.split.map { " \($0)" } ?? "")" }

        var builder = MapBuilder()
        builder.dimensions = settings.dimensions; builder.pcaDimensions = settings.pcaDimensions; builder.seed = context.seed
        builder.perplexity = settings.perplexity; builder.neighbors = settings.neighbors; builder.minDist = settings.minDist
        builder.reproducible = settings.reproducible
        // A PCA map alone needs no pre-step; with fewer points than its dimensions there can be none.
        if !settings.usesPCAPreStep, points.count < settings.pcaDimensions { builder.pcaDimensions = points.dimension }
        let input = try builder.input(points.rows)
        let labels = data.isLabelled ? points.labels : nil
        var maps = [(name: String, points: Matrix)](), reports = [ExploreReport.MapEntry]()
        for method in settings.methods {
            let start = Date()
            let built = try builder.build(method, input: input, width: points.dimension)
            let seconds = Date().timeIntervalSince(start)
            let quality = MapQuality(input: input.matrix, map: built.coordinates, labels: labels, seed: context.seed)
            let name = method.rawValue, plotTitle = "\(title) - \(name.uppercased())"
            try NumpyArray.write(built.coordinates, to: directory.appendingPathComponent("\(name).npy"))
            try built.saved.write(to: directory.appendingPathComponent("\(name).map"))
            try OutputFile(directory.appendingPathComponent("\(name).svg").path)
                .write(ScatterPlot.svg(points: built.coordinates, labels: points.labels, classNames: points.classes, title: plotTitle))
            try OutputFile(directory.appendingPathComponent("\(name).png").path)
                .write(Data(ScatterPlot.png(points: built.coordinates, labels: points.labels, classNames: points.classes, title: plotTitle)))
            maps.append((name.uppercased(), built.coordinates))
            var files = ["npy", "svg", "png", "map"].map { "\(name).\($0)" }
            var network: ExploreReport.Parametric? = nil
            if let parametric, method != .pca {
                network = try Self.parametric(method, embeddings: points.matrix, input: input.matrix, coordinates: built.coordinates,
                                              saved: built.saved, normalizing: builder.normalize, training: parametric, into: directory)
                files.append("\(name)-parametric.onnx")
            }
            reports.append(.init(method: method, dimensions: settings.dimensions, seconds: seconds, parameters: .object(built.details),
                                 trustworthiness: quality.trustworthiness.isNaN ? nil : quality.trustworthiness,
                                 knnAccuracyMap: labels == nil || quality.knnAccuracyMap.isNaN ? nil : quality.knnAccuracyMap,
                                 knnAccuracyInput: labels == nil || quality.knnAccuracyInput.isNaN ? nil : quality.knnAccuracyInput,
                                 qualityPoints: quality.points, files: files, parametric: network))
        }

        // The page: every map, thumbnails, and each point's nearest neighbours in the embedding space.
        var neighbours: [[Int]]? = nil
        let k = min(settings.pageNeighbours, points.count - 1)
        if k > 0 {
            // The maps' own normalised rows: no second copy of the embeddings.
            let found = NearestNeighbors(leaveOneOut: input.normalized, k: k, normalizing: !builder.normalize)
            neighbours = (0..<points.count).map { i in found.indices[(i * k)..<((i + 1) * k)].map(Int.init) }
        }
        var thumbnails: [[UInt8]]? = nil
        if let images = data.images, settings.thumbnails, points.count <= MapSettings.thumbnailLimit {
            thumbnails = try images.thumbnails(ids: points.ids, limits: context.imageLimits)
        }
        var page = ExplorePage(title: title, maps: maps, labels: points.labels, classNames: points.classes, ids: points.ids,
                               thumbnails: thumbnails, neighbours: neighbours)
        var issueCounts: ExploreReport.IssueCounts? = nil
        if let audit {
            let audited = try DataAudit(points.rows, labels: data.isLabelled ? points.labels : nil,
                                        classCount: max(points.classes.count, (points.labels.max() ?? 0) + 1), settings: audit)
            page.issues = ExplorePageIssues(audited)
            issueCounts = .init(labelIssues: audited.labelIssues?.flagged.count, nearDuplicatePairs: audited.nearDuplicates.pairs.total,
                                duplicateThreshold: audited.duplicateSimilarity, outliers: audited.outliers.flagged.count)
        }
        try page.write(to: directory.appendingPathComponent("explore.html"))
        let pagePath = finalPath.appendingPathComponent("explore.html")
        return ExploreReport(title: title, points: points.count, inputDimension: points.dimension,
                             pcaDimensions: input.matrix.columns, dimensions: settings.dimensions, seed: context.seed,
                             reproducible: settings.reproducible, maps: reports, page: pagePath.path,
                             health: data.sets[0].health.map { HealthSummary(pooling: data.sets[0].pooling, dimension: points.dimension, health: $0) },
                             issues: issueCounts)
    }

    /// Places new embeddings (`.npy`) onto a map saved by an earlier run, without moving its points; writes
    /// `<method>-added.npy` into `directory` and returns its path and row count.
    public static func addPoints(map: URL, new: URL, into directory: URL) throws -> (file: URL, rows: Int, method: MapMethod) {
        try createDirectory(directory)
        let saved = try SavedMap.load(from: map)
        let placed = try saved.add(try NumpyArray.readMatrix(at: new))
        let file = directory.appendingPathComponent("\(saved.method.rawValue)-added.npy")
        try NumpyArray.write(placed, to: file)
        return (file, placed.rows, saved.method)
    }

    static func createDirectory(_ directory: URL) throws {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotCreate(path: directory.path, reason: OutputFile.reason(error))
        }
    }
}
