import ArgumentParser
import Embeval

/// The model to embed with (-m), and how to run it.
struct ModelOptions: ParsableArguments {
    @Option(name: [.customShort("m"), .long], help: ArgumentHelp("A .onnx file, an optimum export directory, or 'pixels' (the raw-pixel baseline); for zero-shot also image-encoder=PATH and text-encoder=PATH.", valueName: "model"))
    var model: [String] = []

    @Option(help: "The model's Hugging Face id (owner/name): its name in reports, and where preprocessor_config.json, config.json and tokenizer files come from (the hub cache's models--owner--name snapshot at refs/main) when the model's folder has none.")
    var modelId: String?

    @OptionGroup var embedding: EmbeddingOptions

    /// The image model named by -m.
    func imageSpec() throws -> ImageModelSpec { try embedding.imageSpec(model, hubID: modelId) }

    /// Refuses -m beside --embeddings: both would give the embeddings, and one was silently ignored (a model card
    /// then mixed saved rows with another dataset's zero-shot figures).
    func refuseBesideSavedRows() throws {
        guard !model.isEmpty else { return }
        throw ValidationError("-m \(model.joined(separator: " -m ")) and --embeddings both give the embeddings: -m embeds --dataset, --embeddings are saved rows; give one")
    }

    /// The two-tower model named by -m (one combined export, or both roles).
    func twoTowerSpec(tokenizer: String?) throws -> TwoTowerSpec {
        try embedding.twoTowerSpec(model, tokenizer: tokenizer, hubID: modelId)
    }
}

/// `--layer-norm`: whether block outputs go through the model's final LayerNorm.
enum LayerNormChoice: String, ExpressibleByArgument, CaseIterable {
    case final, none
}

/// How to run a model: threads, batch size, poolings, and overrides of its preprocessor_config.json.
struct EmbeddingOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Intra-op threads of ONNX Runtime (default: all cores).")
    var threads: Int?

    @Option(parsing: .unconditional, help: "Images per forward pass.")
    var batchSize: Int = EmbeddingExtractor.defaultBatchSize

    @Option(help: ArgumentHelp("Feature(s): cls, mean, cls+mean, gem, pooler, output:NAME, POOLING@LAYER (e.g. cls@-2), dino-linear[:N]; comma-separated for several in one pass (default: cls).", valueName: "modes"),
            transform: PoolingList.init(parsing:))
    var pooling: PoolingList?

    @Option(parsing: .unconditional, help: ArgumentHelp("Take each --pooling at these transformer blocks instead of the final output: comma-separated, negative from the last (e.g. -1,-2,-3,-4); one forward pass for all.", valueName: "indices"),
            transform: Pooling.layers(parsing:))
    var layers: [Int]?

    @Option(help: ArgumentHelp("Block outputs through the model's own final LayerNorm (final, as DINO's get_intermediate_layers) or raw (none, as timm's feature maps).", valueName: "final|none"))
    var layerNorm: LayerNormChoice = .final

    /// The poolings asked for, each taken at every `--layers` index.
    func poolings() throws -> [Pooling] {
        try Pooling.atLayers(pooling?.values ?? [.cls], layers: layers ?? [])
    }

    /// Whether --pooling was given (a two-tower model's image encoder defaults to its projected `image_embeds`).
    var poolingGiven: Bool { pooling != nil }

    @Option(parsing: .unconditional, help: "Resize to SIZE×SIZE, replacing the config's size (for -m pixels: resize every image to it).")
    var imageSize: Int?

    @Option(parsing: .unconditional, help: "Resize the shortest edge to this, keeping the aspect ratio (then crop).")
    var resize: Int?

    @Option(parsing: .unconditional, help: "Center-crop to SIZE×SIZE.")
    var crop: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Normalisation mean, three comma-separated values.", valueName: "r,g,b"), transform: RGBTriple.init(parsing:))
    var mean: RGBTriple?

    @Option(parsing: .unconditional, help: ArgumentHelp("Normalisation std, three comma-separated values.", valueName: "r,g,b"), transform: RGBTriple.init(parsing:))
    var std: RGBTriple?

    @Option(help: "Resampling filter: nearest, bilinear, bicubic (or Pillow's numbers 0, 2, 3).", transform: Resampling.init(parsing:))
    var resample: Resampling?

    @Flag(help: "Decode JPEGs reduced in the DCT domain (1/2, 1/4 or 1/8, Pillow's Image.draft) to no less than the resize target: faster for large photos and small models, but not pixel-identical to the Hugging Face pipeline. PNG and WebP decode in full.")
    var jpegDraft = false

    var preprocessing: PreprocessorOverrides {
        PreprocessorOverrides(imageSize: imageSize, shortestEdge: resize, cropSize: crop, mean: mean?.values, std: std?.values,
                              resample: resample, jpegDraft: jpegDraft)
    }

    func imageSpec(_ model: [String], hubID: String? = nil) throws -> ImageModelSpec {
        try ImageModelSpec(arguments: model, poolings: try poolings(), threads: threads, preprocessing: preprocessing, hubID: hubID,
                           normalizesLayers: layerNorm == .final)
    }

    func twoTowerSpec(_ model: [String], tokenizer: String?, hubID: String? = nil) throws -> TwoTowerSpec {
        try TwoTowerSpec(arguments: model, tokenizer: tokenizer, threads: threads, preprocessing: preprocessing, hubID: hubID)
    }
}
