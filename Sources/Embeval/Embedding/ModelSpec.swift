import Foundation

/// An image model to open: an ONNX backbone (a `.onnx` file or an optimum export directory) or the raw-pixel
/// baseline `pixels`, with its poolings, ONNX Runtime threads and preprocessing overrides.
public struct ImageModelSpec: Sendable {
    public var path: String
    public var poolings: [Pooling]
    public var threads: Int?
    public var preprocessing: PreprocessorOverrides
    /// The model's Hugging Face id (`--model-id owner/name`): configs missing beside the .onnx come from its snapshot
    /// in the hub cache. A value that is no `owner/name` id is only the model's display name.
    public var hubID: String?
    /// `--layer-norm final` (true, default): poolings at a layer read tokens through the model's final LayerNorm.
    public var normalizesLayers: Bool

    public init(path: String, poolings: [Pooling] = [.cls], threads: Int? = nil,
                preprocessing: PreprocessorOverrides = PreprocessorOverrides(), hubID: String? = nil,
                normalizesLayers: Bool = true) throws {
        guard !poolings.isEmpty else { throw EmbeddingError.invalidArgument("--pooling is empty") }
        try ModelThreads.validate(threads)
        try preprocessing.validate()
        self.path = path
        self.poolings = poolings
        self.threads = threads
        self.preprocessing = preprocessing
        self.hubID = hubID
        self.normalizesLayers = normalizesLayers
    }

    /// From the values of `-m`: exactly one path; `role=PATH` pairs belong to two-tower models.
    public init(arguments: [String], poolings: [Pooling] = [.cls], threads: Int? = nil,
                preprocessing: PreprocessorOverrides = PreprocessorOverrides(), hubID: String? = nil,
                normalizesLayers: Bool = true) throws {
        guard !arguments.isEmpty else { throw EmbeddingError.invalidArgument("-m MODEL is required") }
        guard arguments.count == 1, let path = arguments.first,
              !ModelRoles.accepted.contains(where: { path.hasPrefix($0 + "=") }) else {
            throw EmbeddingError.invalidArgument("this command embeds with one image model: -m PATH (roles such as image-encoder= are for zeroshot)")
        }
        try self.init(path: path, poolings: poolings, threads: threads, preprocessing: preprocessing, hubID: hubID,
                      normalizesLayers: normalizesLayers)
    }

    public var isPixels: Bool { path == "pixels" }

    /// Opens the model; `-m pixels` takes no poolings (a warning says so when some were asked for).
    public func load(_ context: EvaluationContext? = nil) throws -> any ImageEmbeddingModel {
        if isPixels {
            if poolings != [.cls] { context?.warn("-m pixels has no poolings; --pooling and --layers are ignored") }
            let ignored = [("--resize", preprocessing.shortestEdge != nil), ("--crop", preprocessing.cropSize != nil),
                           ("--mean", preprocessing.mean != nil), ("--std", preprocessing.std != nil),
                           ("--resample", preprocessing.resample != nil)].filter(\.1).map(\.0)
            if !ignored.isEmpty { context?.warn("-m pixels ignores \(ignored.joined(separator: ", ")) (it takes --image-size only)") }
            if let size = preprocessing.imageSize, size > PixelModel.largestSide {
                throw EmbeddingError.invalidArgument("--image-size \(size) is too large for -m pixels (at most \(PixelModel.largestSide): each pixel is a dimension)")
            }
            if preprocessing.jpegDraft, preprocessing.imageSize == nil {
                context?.warn("--jpeg-draft does nothing for -m pixels without --image-size (images are not resized)")
            }
            return PixelModel(size: preprocessing.imageSize.map { ($0, $0) }, jpegDraft: preprocessing.jpegDraft)
        }
        let model = try OnnxImageModel(path: path, poolings: poolings, threads: threads, overrides: preprocessing, hubID: hubID,
                                       normalizesLayers: normalizesLayers)
        for w in model.preprocessor.config.warnings { context?.warn(w) }
        if preprocessing.jpegDraft, model.draft == nil {
            context?.warn("--jpeg-draft does nothing here: the preprocessing does not resize (do_resize is false)")
        }
        return model
    }
}

/// A two-tower (CLIP/SigLIP-style) model to open: a combined export or `image-encoder=`/`text-encoder=` roles, the
/// tokenizer (default: the text tower's own), threads and the image tower's preprocessing overrides.
public struct TwoTowerSpec: Sendable {
    public var roles: ModelRoles
    public var tokenizer: String?
    public var threads: Int?
    public var preprocessing: PreprocessorOverrides
    /// The model's Hugging Face id: configs and tokenizer missing beside the towers come from its hub-cache snapshot.
    public var hubID: String?

    public init(roles: ModelRoles, tokenizer: String? = nil, threads: Int? = nil,
                preprocessing: PreprocessorOverrides = PreprocessorOverrides(), hubID: String? = nil) throws {
        try ModelThreads.validate(threads)
        try preprocessing.validate()
        self.roles = roles
        self.tokenizer = tokenizer
        self.threads = threads
        self.preprocessing = preprocessing
        self.hubID = hubID
    }

    /// From the values of `-m`: one combined export, or both roles.
    public init(arguments: [String], tokenizer: String? = nil, threads: Int? = nil,
                preprocessing: PreprocessorOverrides = PreprocessorOverrides(), hubID: String? = nil) throws {
        try self.init(roles: ModelRoles(arguments: arguments), tokenizer: tokenizer, threads: threads, preprocessing: preprocessing,
                      hubID: hubID)
    }

    /// Opens both towers; the tokenizer's and preprocessing's warnings go to `context`.
    public func load(_ context: EvaluationContext? = nil) throws -> TwoTowerModel {
        let model = try TwoTowerModel(roles, threads: threads, overrides: preprocessing, hubID: hubID) { url in
            try TokenizerLoader.load(path: tokenizer ?? url.path)
        }
        for w in model.text.tokenizer.warnings + model.image.preprocessor.config.warnings { context?.warn(w) }
        return model
    }
}

/// ONNX Runtime's intra-op thread count as a user may set it.
enum ModelThreads {
    /// More threads than this (8 per core, at least 64) only cost memory and start-up time.
    static var largest: Int { max(64, 8 * ProcessInfo.processInfo.activeProcessorCount) }

    static func validate(_ threads: Int?) throws {
        if let threads, !(1...largest).contains(threads) {
            throw EmbeddingError.invalidArgument("--threads must be between 1 and \(largest) (8 per core here), got \(threads)")
        }
    }
}

extension PreprocessorOverrides {
    /// Checks what a user can set: sizes ≥ 1, three finite means, three finite stds > 0.
    public func validate() throws {
        if imageSize != nil && shortestEdge != nil {
            throw EmbeddingError.invalidArgument("--image-size and --resize both set the resize (a square, or the shortest edge): give one")
        }
        for (flag, value) in [("--image-size", imageSize), ("--resize", shortestEdge), ("--crop", cropSize)] {
            if let value, !(1...PreprocessorConfig.largestSide).contains(value) {
                throw EmbeddingError.invalidArgument("\(flag) must be between 1 and \(PreprocessorConfig.largestSide), got \(value)")
            }
        }
        if let mean, mean.count != 3 || mean.contains(where: { !$0.isFinite }) {
            throw EmbeddingError.invalidArgument("--mean: expected three finite numbers (r,g,b), got \(mean)")
        }
        if let std, std.count != 3 || std.contains(where: { !($0.isFinite && $0 > 0) }) {
            throw EmbeddingError.invalidArgument("--std: expected three finite numbers > 0 (r,g,b), got \(std)")
        }
    }
}

/// Three per-channel numbers as typed: `0.485,0.456,0.406` (normalisation mean or std).
public struct RGBTriple: Equatable, Sendable {
    public var values: [Double]

    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        let values = parts.compactMap { $0 }
        guard parts.count == 3, values.count == 3, values.allSatisfy(\.isFinite) else {
            throw EmbeddingError.invalidArgument("expected three comma-separated numbers (r,g,b)")
        }
        self.values = values
    }
}
