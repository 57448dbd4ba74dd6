import ArgumentParser
import Embeval
import Foundation

/// The train split of a train/test protocol (kNN train-test, the linear probe).
struct TrainSplitOptions: ParsableArguments {
    @Option(help: "The train split for train/test protocols.")
    var trainSplit: String = "train"

    @Option(parsing: .unconditional, help: "Use a seeded random subset of this many train samples.")
    var trainSamples: Int?

    func train() throws -> TrainSplit { try TrainSplit(trainSplit, samples: trainSamples) }
}

/// Few-shot draws of the train set (kNN references, linear-probe fits): n per class, `tries` seeded draws.
struct FewShotOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Few-shot: this many train samples per class, each count a separate run.", valueName: "n,n,…"),
            transform: NeighbourCounts.init(parsing:))
    var shots: NeighbourCounts?

    @Option(parsing: .unconditional, help: "Few-shot: seeded draws per shot count (mean ± std reported).")
    var tries: Int = 5
}

/// Whether the linear probe and k-means see L2-normalised embeddings (as kNN does) or the raw ones.
struct NormalizationOptions: ParsableArguments {
    @Flag(help: "Fit the linear probe / cluster on the raw embeddings instead of L2-normalised ones.")
    var noNormalize = false
}

/// The linear probe's regularisation and iterations.
struct LinearOptions: ParsableArguments {
    @Option(name: .customLong("C"), parsing: .unconditional,
            help: "A fixed inverse regularisation strength; default: chosen from 10^-6 … 10^5 (45 values) on a 10% validation slice of train (few-shot: 1).")
    var c: Double?

    @Option(name: .customLong("max-iter"), parsing: .unconditional, help: "L-BFGS iterations per fit (scikit-learn's max_iter).")
    var maxIterations: Int = 1000

    @Option(help: """
        The objective's precision: float64 (scikit-learn given float64 rows) or float32 (scikit-learn given float32 \
        rows: the weights, logits, gradient products and mean loss in float32; about twice as fast, and the fit \
        stops where scikit-learn's float32 fit does).
        """)
    var precision: LogisticRegression.Precision = .float64

    func settings(_ normalization: NormalizationOptions, fewShot: FewShotOptions? = nil) throws -> LinearSettings {
        try LinearSettings(C: c, normalize: !normalization.noNormalize, shots: fewShot?.shots?.values, tries: fewShot?.tries ?? 5,
                           maxIterations: maxIterations, precision: precision)
    }
}

/// k-means: the number of clusters, starts, and the mini-batch variant.
struct ClusterOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Number of clusters (default: the number of classes).")
    var clusters: Int?

    @Option(name: .customLong("n-init"), parsing: .unconditional, help: "k-means++ starts; the best by inertia is kept.")
    var initialisations: Int = 10

    @Flag(help: "MiniBatchKMeans(batch_size=500, n_init=\"auto\") as MIEB clusters, instead of full k-means.")
    var minibatch = false

    func settings(_ normalization: NormalizationOptions) throws -> ClusterSettings {
        try ClusterSettings(clusters: clusters, initialisations: initialisations, minibatch: minibatch, normalize: !normalization.noNormalize)
    }
}

/// Retrieval's cut-offs.
struct RetrievalOptions: ParsableArguments {
    @Option(name: .customLong("recall-k"), parsing: .unconditional, help: ArgumentHelp("The k of recall@k, comma-separated.", valueName: "k,k,…"),
            transform: NeighbourCounts.init(parsing:))
    var recallK: NeighbourCounts = .recallDefaults
}

/// Where an image-side protocol's embeddings come from: --embeddings files, else -m MODEL over --dataset (the image
/// encoder of a two-tower model given by role). `train` adds the train split or train files.
func embeddingSource(model: ModelOptions, data: DatasetOptions, precomputed: PrecomputedOptions,
                     train: TrainSplitOptions?) throws -> EmbeddingSource {
    if let files = precomputed.source() {
        // Subsets pick samples for a model to embed; saved rows are used whole, and silently ignoring one misleads.
        try data.refuseSubsetOfSavedRows()
        try model.refuseBesideSavedRows()
        if train?.trainSamples != nil {
            throw ValidationError("--train-samples subsets the train split a model embeds; with --embeddings every saved row is used (pass fewer rows instead)")
        }
        return files
    }
    guard !model.model.isEmpty else { throw ValidationError("-m MODEL is required (or pass --embeddings and --labels)") }
    return .model(try model.backboneSpec(), try data.requiredSelection(), train: try train?.train())
}

extension ModelOptions {
    /// The image model of an image-side protocol: -m PATH, or the image encoder of `-m image-encoder=… -m
    /// text-encoder=…` read through its projected `image_embeds` unless --pooling says otherwise.
    func backboneSpec() throws -> ImageModelSpec { try embedding.backboneSpec(model, hubID: modelId) }

    /// Whether -m names both towers by role.
    var isTwoTower: Bool { namesBothTowers(model) }
}

extension EmbeddingOptions {
    /// The image model of an image-side protocol for `model` (-m arguments, or compare's --baseline/--candidate).
    func backboneSpec(_ model: [String], hubID: String? = nil) throws -> ImageModelSpec {
        guard namesBothTowers(model), case .split(let image, _) = try ModelRoles(arguments: model) else { return try imageSpec(model, hubID: hubID) }
        var spec = try imageSpec([image], hubID: hubID)
        if !poolingGiven { spec.poolings = [.output("image_embeds")] }
        return spec
    }
}

/// Whether model arguments name both towers by role (`image-encoder=…`, `text-encoder=…`).
func namesBothTowers(_ model: [String]) -> Bool {
    model.contains { $0.hasPrefix("image-encoder=") } && model.contains { $0.hasPrefix("text-encoder=") }
}

extension LogisticRegression.Precision: ExpressibleByArgument {}
