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
        leave-one-out 10-NN accuracy in the map next to the same in its input. With --seed every map is bit-reproducible; \
        without it UMAP's SGD layout runs on all cores (as umap-learn's does without random_state) and differs \
        slightly from run to run. \
        --map DIR/<method>.map --add new.npy places new embeddings onto a saved map without moving the old points.
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions

    @Option(help: "Precomputed embeddings instead of a model and dataset: a .npy (N×d), a folder embed or merge wrote, shard folders (repeat), or a folder holding them.")
    var embeddings: [String] = []

    @Option(help: "Labels of --embeddings (.npy integers), for colours and kNN accuracy; a folder embed wrote carries its own.")
    var labels: String?

    @Option(help: ArgumentHelp("Maps to make, comma-separated: pca, tsne, umap.", valueName: "methods"), transform: MapMethod.list(parsing:))
    var method: [MapMethod] = MapMethod.allCases

    @Option(parsing: .unconditional, help: "Dimensions of each map: 2 or 3.")
    var dims: Int = 2

    @Option(parsing: .unconditional, help: "Components of the PCA pre-step of t-SNE and UMAP.")
    var pcaDims: Int = 50

    @Option(parsing: .unconditional, help: "t-SNE perplexity.")
    var perplexity: Double = 30

    @Option(parsing: .unconditional, help: "UMAP n_neighbors.")
    var neighbors: Int = 15

    @Option(parsing: .unconditional, help: "UMAP min_dist.")
    var minDist: Double = 0.1

    @Option(help: "Write <method>.npy, .svg, .png, .map and explore.html (above 50,000 points with its data folder explore_files/) into this directory.")
    var out: String = "out/explore"

    @Option(help: "A map saved by an earlier run (DIR/<method>.map, or DIR/<method>-parametric.onnx) to place --add points onto.")
    var map: String?

    @Option(help: "New embeddings (.npy) to place onto --map.")
    var add: String?

    @Flag(help: "Leave image thumbnails out of explore.html.")
    var noThumbnails = false

    @Option(parsing: .unconditional, help: "Nearest neighbours listed per point in explore.html (0: none, and no all-pairs search for them).")
    var pageNeighbours: Int = 10

    @Flag(help: "Also audit the points (as embeval audit, k = 10, duplicate threshold auto): explore.html gains an Issues panel listing label-error candidates, near-duplicate pairs and outliers, ringed on the map.")
    var audit = false

    @Flag(help: "Also train a network (embedding → hidden → ReLU → coordinates) reproducing each t-SNE/UMAP map, write it as <method>-parametric.onnx (any ONNX runtime places new points with it; so does --map X.onnx --add) and measure it on a held-out tenth of the points.")
    var parametric = false

    @Option(parsing: .unconditional, help: "Hidden units of the --parametric network.")
    var parametricHidden = 256

    @Option(parsing: .unconditional, help: "Training epochs of the --parametric network (Adam, batches of 256, learning rate 0.001).")
    var parametricEpochs = 100

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if (map == nil) != (add == nil) { throw ValidationError("--map and --add go together") }
        try refuseOverlappingOutputs(json: output.json, html: nil, plots: nil,
                                     inputs: embeddings.map { (flag: "--embeddings", path: Optional($0)) } + [("--labels", labels), ("--map", map), ("--add", add)])
    }

    func run() throws {
        let directory = URL(fileURLWithPath: out)
        if let map, let add, map.lowercased().hasSuffix(".onnx") {
            let placed = try Exploration.addPoints(parametricModel: URL(fileURLWithPath: map), new: URL(fileURLWithPath: add), into: directory)
            print("placed \(placed.rows) point(s) with the parametric map \(map) → \(placed.file.path)")
            return
        }
        if let map, let add {
            let placed = try Exploration.addPoints(map: URL(fileURLWithPath: map), new: URL(fileURLWithPath: add), into: directory)
            print("placed \(placed.rows) point(s) onto the \(placed.method.rawValue) map → \(placed.file.path)")
            return
        }
        let source: EmbeddingSource
        if !embeddings.isEmpty {
            try data.refuseSubsetOfSavedRows()
            try model.refuseBesideSavedRows()
            source = .files(PrecomputedOptions.files(embeddings, labels: labels))
        } else {
            source = .model(try model.imageSpec(), try data.requiredSelection())
        }
        let settings = try MapSettings(methods: method, dimensions: dims, pcaDimensions: pcaDims, perplexity: perplexity,
                                       neighbors: neighbors, minDist: minDist, thumbnails: !noThumbnails,
                                       pageNeighbours: pageNeighbours,
                                       reproducible: data.givenSeed != nil)
        let training = parametric ? try ParametricMap.Training(hidden: parametricHidden, epochs: parametricEpochs, seed: data.seed) : nil
        let report = try Exploration(source: source, settings: settings, audit: audit ? try DataAudit.Settings() : nil, parametric: training)
            .run(into: directory, context: try output.context(batchSize: model.embedding.batchSize, data: data))
        try output.emit(report, text: report.text())
    }
}
