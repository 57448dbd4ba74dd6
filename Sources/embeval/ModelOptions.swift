import ArgumentParser
import Embeval

/// The model to embed with (-m), and how to run it.
struct ModelOptions: ParsableArguments {
    @Option(name: [.customShort("m"), .long], help: ArgumentHelp("A .onnx file, an optimum export directory, or 'pixels' (the raw-pixel baseline); for zero-shot also image-encoder=PATH and text-encoder=PATH.", valueName: "model"))
    var model: [String] = []

    @OptionGroup var embedding: EmbeddingOptions

    var threads: Int? { embedding.threads }
    var batchSize: Int { embedding.batchSize }
    var pooling: String { embedding.pooling }

    /// The image model named by -m.
    func load() throws -> ImageEmbeddingModel { try embedding.imageModel(model) }
    func overrides() throws -> PreprocessorOverrides { try embedding.overrides() }
}

/// How to run a model: threads, batch size, poolings, and overrides of its preprocessor_config.json.
struct EmbeddingOptions: ParsableArguments {
    @Option(help: "Intra-op threads of ONNX Runtime (default: all cores).")
    var threads: Int?

    @Option(help: "Images per forward pass.")
    var batchSize: Int = 64

    @Option(help: ArgumentHelp("Feature(s): cls, mean, cls+mean, gem, pooler, output:NAME; comma-separated for several in one pass.", valueName: "modes"))
    var pooling: String = "cls"

    @Option(help: "Resize to SIZE×SIZE, replacing the config's size (for -m pixels: resize every image to it).")
    var imageSize: Int?

    @Option(help: "Resize the shortest edge to this, keeping the aspect ratio (then crop).")
    var resize: Int?

    @Option(help: "Center-crop to SIZE×SIZE.")
    var crop: Int?

    @Option(help: ArgumentHelp("Normalisation mean, three comma-separated values.", valueName: "r,g,b"))
    var mean: String?

    @Option(help: ArgumentHelp("Normalisation std, three comma-separated values.", valueName: "r,g,b"))
    var std: String?

    @Option(help: "Resampling filter: nearest, bilinear, bicubic (or Pillow's numbers 0, 2, 3).")
    var resample: String?

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be ≥ 1, got \(batchSize)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
        for (flag, value) in [("--image-size", imageSize), ("--resize", resize), ("--crop", crop)] {
            if let value, value < 1 { throw ValidationError("\(flag) must be ≥ 1, got \(value)") }
        }
    }

    func poolings() throws -> [Pooling] { try Pooling.list(parsing: pooling) }
}
