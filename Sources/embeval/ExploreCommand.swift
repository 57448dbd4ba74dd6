import ArgumentParser
import Embeval
import Foundation

struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Maps of an embedding space (PCA, t-SNE, UMAP): coordinates, SVG/PNG plots and a page to browse.",
        discussion: """
        Rows are L2-normalised, then reduced by PCA to --pca-dims (the standard pre-step) before t-SNE and UMAP. Every \
        map is scored on a seeded subset of up to 5,000 points: trustworthiness (k=10) against its input, and \
        leave-one-out 10-NN accuracy in the map next to the same in its input. \
        --map DIR/<method>.map --add new.npy places new embeddings onto a saved map without moving the old points.
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions

    @Option(help: "Precomputed embeddings (.npy, N×d) instead of a model and dataset.")
    var embeddings: String?

    @Option(help: "Labels of --embeddings (.npy integers), for colours and kNN accuracy.")
    var labels: String?

    @Option(help: ArgumentHelp("Maps to make, comma-separated: pca, tsne, umap.", valueName: "methods"))
    var method: String = "pca,tsne,umap"

    @Option(help: "Dimensions of each map: 2 or 3.")
    var dims: Int = 2

    @Option(help: "Components of the PCA pre-step of t-SNE and UMAP.")
    var pcaDims: Int = 50

    @Option(help: "t-SNE perplexity.")
    var perplexity: Double = 30

    @Option(help: "UMAP n_neighbors.")
    var neighbors: Int = 15

    @Option(help: "UMAP min_dist.")
    var minDist: Double = 0.1

    @Option(help: "Write <method>.npy, .svg, .png, .map and explore.html into this directory.")
    var out: String = "out/explore"

    @Option(help: "A map saved by an earlier run (DIR/<method>.map) to place --add points onto.")
    var map: String?

    @Option(help: "New embeddings (.npy) to place onto --map.")
    var add: String?

    @Flag(help: "Leave image thumbnails out of explore.html.")
    var noThumbnails = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if dims != 2 && dims != 3 { throw ValidationError("--dims must be 2 or 3, got \(dims)") }
        if pcaDims < 2 { throw ValidationError("--pca-dims must be ≥ 2") }
        if (map == nil) != (add == nil) { throw ValidationError("--map and --add go together") }
    }

    func run() throws {
        let outDir = URL(fileURLWithPath: out)
        do { try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true) } catch {
            throw EmbevalError.io("cannot create output directory '\(out)': \(error.localizedDescription)")
        }
        if let map, let add { return try addPoints(map: URL(fileURLWithPath: map), new: URL(fileURLWithPath: add), outDir: outDir) }
        let methods = try method.split(separator: ",").map { part -> MapMethod in
            guard let m = MapMethod(rawValue: part.trimmingCharacters(in: .whitespaces)) else {
                throw EmbevalError.usage("--method '\(part)': expected pca, tsne or umap")
            }
            return m
        }

        // 1. The embeddings (extracted or loaded), their labels and ids, and the images for thumbnails.
        let source: Embeddings, dataset: Dataset?, title: String
        if let embeddings {
            let matrix = try NumpyArray.readMatrix(at: URL(fileURLWithPath: embeddings))
            let labelValues = try labels.map { try NumpyArray.readLabels(at: URL(fileURLWithPath: $0)) } ?? [Int](repeating: 0, count: matrix.rows)
            guard labelValues.count == matrix.rows else {
                throw EmbevalError.input("'\(labels!)' holds \(labelValues.count) labels for \(matrix.rows) embeddings in '\(embeddings)'")
            }
            let classes = labels == nil ? ["unlabeled"] : (0...(labelValues.max() ?? 0)).map(String.init)
            source = try Embeddings(matrix: matrix, labels: labelValues, ids: (0..<matrix.rows).map(String.init), classes: classes)
            dataset = nil
            title = URL(fileURLWithPath: embeddings).lastPathComponent
        } else {
            let embedder = try model.load()
            let loaded = try data.load()
            let extracted = try EmbeddingExtractor(batchSize: model.batchSize, onBadImage: data.onBadImage)
                .extract(loaded, with: embedder, progress: output.showsProgress ? Progress("embed", total: loaded.samples.count) : nil)
            source = extracted.embeddings[embedder.poolings[0]]!
            dataset = loaded
            title = "\(embedder.name) - \(loaded.name)\(loaded.split.map { " \($0)" } ?? "")"
        }
        _ = try EmbeddingHealth(source, seed: data.seed)

        // 2. The maps.
        var builder = MapBuilder()
        builder.dimensions = dims; builder.pcaDimensions = pcaDims; builder.seed = data.seed
        builder.perplexity = perplexity; builder.neighbors = neighbors; builder.minDist = minDist
        let input = try builder.input(source.matrix)
        let hasLabels = dataset != nil || labels != nil
        var maps = [(name: String, points: Matrix)](), reports = [JSONValue](), rows = [[String]]()
        for m in methods {
            let start = Date()
            let built = try builder.build(m, input: input, width: source.dimension)
            let seconds = Date().timeIntervalSince(start)
            let quality = MapQuality(input: input.matrix, map: built.coordinates, labels: hasLabels ? source.labels : nil, seed: data.seed)
            try NumpyArray.write(built.coordinates, to: outDir.appendingPathComponent("\(m.rawValue).npy"))
            try built.saved.write(to: outDir.appendingPathComponent("\(m.rawValue).map"))
            let plotTitle = "\(title) - \(m.rawValue.uppercased())"
            try write(ScatterPlot.svg(points: built.coordinates, labels: source.labels, classNames: source.classes, title: plotTitle),
                      to: outDir.appendingPathComponent("\(m.rawValue).svg"))
            try Data(ScatterPlot.png(points: built.coordinates, labels: source.labels, classNames: source.classes, title: plotTitle))
                .write(to: outDir.appendingPathComponent("\(m.rawValue).png"))
            maps.append((m.rawValue.uppercased(), built.coordinates))
            rows.append([m.rawValue, String(format: "%.2fs", seconds), String(format: "%.4f", quality.trustworthiness),
                         hasLabels ? String(format: "%.2f", quality.knnAccuracyMap) : "–",
                         hasLabels ? String(format: "%.2f", quality.knnAccuracyInput) : "–"])
            reports.append(.object([("method", .string(m.rawValue)), ("dimensions", .int(dims)), ("seconds", .number(seconds)),
                                    ("parameters", .object(built.details)), ("trustworthiness", .number(quality.trustworthiness)),
                                    ("knn_accuracy_map", hasLabels ? .number(quality.knnAccuracyMap) : .null),
                                    ("knn_accuracy_input", hasLabels ? .number(quality.knnAccuracyInput) : .null),
                                    ("quality_points", .int(quality.points)),
                                    ("files", .array(["npy", "svg", "png", "map"].map { .string("\(m.rawValue).\($0)") }))]))
        }

        // 3. The page: every map, thumbnails, and each point's 10 nearest neighbours in the embedding space.
        let normalized = source.matrix.l2NormalizedRows()
        let k = min(10, source.count - 1)
        let found = NearestNeighbors(queries: normalized, references: normalized, k: k, excludingSelf: true)
        let neighbours = (0..<source.count).map { i in found.indices[(i * k)..<((i + 1) * k)].map(Int.init) }
        var thumbnails: [[UInt8]]? = nil
        if let dataset, !noThumbnails, source.count <= 20_000 {
            thumbnails = try dataset.thumbnails(ids: source.ids)
        }
        let page = ExplorePage(title: title, maps: maps, labels: source.labels, classNames: source.classes, ids: source.ids,
                               thumbnails: thumbnails, neighbours: neighbours)
        try write(try page.html(), to: outDir.appendingPathComponent("explore.html"))

        print(TerminalTable.title("Explore: \(title)"))
        print("")
        print(TerminalTable.fields([("Points", String(source.count)), ("Dimensions", "\(source.dimension) → PCA \(input.matrix.columns) → \(dims)"),
                                    ("Output", outDir.path)]))
        print("")
        print(TerminalTable.table(header: ["Map", "Time", "Trustworthiness@10", "10-NN acc. map (%)", "10-NN acc. input (%)"], rows: rows))
        if let json = output.json {
            try JSONValue.object([("task", "explore"), ("points", .int(source.count)), ("input_dimension", .int(source.dimension)),
                                  ("pca_dimensions", .int(input.matrix.columns)), ("seed", .int(Int(data.seed))),
                                  ("maps", .array(reports)), ("page", .string(outDir.appendingPathComponent("explore.html").path))])
                .write(to: URL(fileURLWithPath: json))
        }
    }

    func addPoints(map: URL, new: URL, outDir: URL) throws {
        let saved = try SavedMap.load(from: map)
        let points = try NumpyArray.readMatrix(at: new)
        let placed = try saved.add(points)
        let name = "\(saved.method.rawValue)-added.npy"
        try NumpyArray.write(placed, to: outDir.appendingPathComponent(name))
        print("placed \(placed.rows) point(s) onto the \(saved.method.rawValue) map → \(outDir.appendingPathComponent(name).path)")
    }

    private func write(_ text: String, to url: URL) throws {
        do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
            throw EmbevalError.io("cannot write '\(url.path)': \(error.localizedDescription)")
        }
    }
}
