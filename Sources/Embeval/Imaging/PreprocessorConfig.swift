import Foundation

/// The image-processing settings of a Hugging Face `preprocessor_config.json` (ViT, BiT/DINOv2, CLIP, SigLIP
/// image processors). Fields missing from the file take the defaults of the processor class it names.
public struct PreprocessorConfig: Equatable, Sendable {
    /// How `size` asks the image to be resized.
    public enum Size: Equatable, Sendable {
        /// Exactly `height`×`width`.
        case exact(height: Int, width: Int)
        /// Shorter side to `shortestEdge`, keeping the aspect ratio (torchvision's `Resize(int)` rule), with an
        /// optional cap on the longer side.
        case shortestEdge(Int, longestEdge: Int? = nil)
    }

    public var processorType: String?
    public var doResize: Bool
    public var size: Size
    public var resample: Resampling
    public var doCenterCrop: Bool
    public var cropSize: (height: Int, width: Int)?
    public var doRescale: Bool
    public var rescaleFactor: Double
    public var doNormalize: Bool
    public var imageMean: [Double]
    public var imageStd: [Double]
    public var doConvertRGB: Bool
    /// EfficientNet's (ALIGN's) `rescale_offset`: 1 is subtracted after rescaling (so 1/127.5 maps to [-1, 1]).
    public var rescaleOffset = false
    /// EfficientNet's (ALIGN's) `include_top`: divided by the std once more after normalising (even without it).
    public var includeTop = false
    /// What the user should know about how the file was read (e.g. an image processor Embeval does not know,
    /// whose missing fields took ViT's defaults).
    public var warnings: [String] = []

    /// The largest side a size in a config (or `--image-size`, `--resize`, `--crop`) may ask for.
    public static let largestSide = 8192

    /// The processor classes whose defaults Embeval knows.
    static let knownTypes = ["ViTImageProcessor", "BitImageProcessor", "CLIPImageProcessor", "SiglipImageProcessor",
                             "EfficientNetImageProcessor"]

    public static func == (a: Self, b: Self) -> Bool {
        a.processorType == b.processorType && a.doResize == b.doResize && a.size == b.size
            && a.resample == b.resample && a.doCenterCrop == b.doCenterCrop
            && a.cropSize?.height == b.cropSize?.height && a.cropSize?.width == b.cropSize?.width
            && a.doRescale == b.doRescale && a.rescaleFactor == b.rescaleFactor && a.doNormalize == b.doNormalize
            && a.imageMean == b.imageMean && a.imageStd == b.imageStd && a.doConvertRGB == b.doConvertRGB
            && a.rescaleOffset == b.rescaleOffset && a.includeTop == b.includeTop
    }

    static let imagenetStandard = [0.5, 0.5, 0.5]
    static let openAIMean = [0.48145466, 0.4578275, 0.40821073]
    static let openAIStd = [0.26862954, 0.26130258, 0.27577711]

    /// The class defaults of a processor type (`ViTImageProcessor`, `BitImageProcessor`, `CLIPImageProcessor`,
    /// `SiglipImageProcessor`, `EfficientNetImageProcessor`; anything else gets ViT's).
    public static func defaults(for processorType: String?) -> PreprocessorConfig {
        switch canonicalType(processorType) {
        case "CLIPImageProcessor", "BitImageProcessor":
            return PreprocessorConfig(processorType: processorType, doResize: true, size: .shortestEdge(224),
                                      resample: .bicubic, doCenterCrop: true, cropSize: (224, 224), doRescale: true,
                                      rescaleFactor: 1.0 / 255, doNormalize: true, imageMean: openAIMean,
                                      imageStd: openAIStd, doConvertRGB: true)
        case "SiglipImageProcessor":
            return PreprocessorConfig(processorType: processorType, doResize: true, size: .exact(height: 224, width: 224),
                                      resample: .bicubic, doCenterCrop: false, cropSize: nil, doRescale: true,
                                      rescaleFactor: 1.0 / 255, doNormalize: true, imageMean: imagenetStandard,
                                      imageStd: imagenetStandard, doConvertRGB: true)
        case "EfficientNetImageProcessor":
            var config = PreprocessorConfig(processorType: processorType, doResize: true, size: .exact(height: 346, width: 346),
                                            resample: .bicubic, doCenterCrop: false, cropSize: (289, 289), doRescale: true,
                                            rescaleFactor: 1.0 / 255, doNormalize: true, imageMean: imagenetStandard,
                                            imageStd: imagenetStandard, doConvertRGB: false)
            config.includeTop = true
            return config
        default:
            return PreprocessorConfig(processorType: processorType, doResize: true, size: .exact(height: 224, width: 224),
                                      resample: .bilinear, doCenterCrop: false, cropSize: nil, doRescale: true,
                                      rescaleFactor: 1.0 / 255, doNormalize: true, imageMean: imagenetStandard,
                                      imageStd: imagenetStandard, doConvertRGB: false)
        }
    }

    /// Whether an integer `size` means a square (ViT) or the shortest edge (CLIP, BiT, SigLIP).
    static func defaultToSquare(_ processorType: String?) -> Bool {
        !["CLIPImageProcessor", "BitImageProcessor", "SiglipImageProcessor"].contains(canonicalType(processorType))
    }

    /// `CLIPImageProcessorPil`, `CLIPImageProcessorFast` and the older `CLIPFeatureExtractor` all mean the same.
    static func canonicalType(_ processorType: String?) -> String {
        guard var type = processorType else { return "" }
        for suffix in ["Pil", "Fast"] where type.hasSuffix(suffix) { type = String(type.dropLast(suffix.count)) }
        if type.hasSuffix("FeatureExtractor") { type = String(type.dropLast("FeatureExtractor".count)) + "ImageProcessor" }
        return type
    }

    public init(processorType: String?, doResize: Bool, size: Size, resample: Resampling, doCenterCrop: Bool,
                cropSize: (height: Int, width: Int)?, doRescale: Bool, rescaleFactor: Double, doNormalize: Bool,
                imageMean: [Double], imageStd: [Double], doConvertRGB: Bool) {
        self.processorType = processorType
        self.doResize = doResize
        self.size = size
        self.resample = resample
        self.doCenterCrop = doCenterCrop
        self.cropSize = cropSize
        self.doRescale = doRescale
        self.rescaleFactor = rescaleFactor
        self.doNormalize = doNormalize
        self.imageMean = imageMean
        self.imageStd = imageStd
        self.doConvertRGB = doConvertRGB
    }

    /// Reads a `preprocessor_config.json`; a malformed file throws `ImageError.invalidPreprocessorConfig` naming the field.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageError.invalidPreprocessorConfig(path: path, reason: "cannot read file")
        }
        try self.init(json: data, path: path)
    }

    /// Parses the JSON text of a `preprocessor_config.json`.
    public init(json data: Data, path: String = "preprocessor_config.json") throws {
        func fail(_ reason: String) -> ImageError { .invalidPreprocessorConfig(path: path, reason: reason) }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
            throw fail("not a JSON object")
        }
        let type = dict["image_processor_type"] as? String ?? dict["feature_extractor_type"] as? String
        var config = PreprocessorConfig.defaults(for: type)

        func bool(_ key: String) throws -> Bool? {
            guard let v = dict[key], !(v is NSNull) else { return nil }
            guard let b = v as? Bool else { throw fail("'\(key)' must be true or false") }
            return b
        }
        func number(_ key: String) throws -> Double? {
            guard let v = dict[key], !(v is NSNull) else { return nil }
            guard let n = jsonNumber(v) else { throw fail("'\(key)' must be a number") }
            return n.doubleValue
        }
        func triple(_ key: String) throws -> [Double]? {
            guard let v = dict[key], !(v is NSNull) else { return nil }
            if let n = v as? NSNumber { return [Double](repeating: n.doubleValue, count: 3) }
            guard let a = v as? [NSNumber], a.count == 3 else { throw fail("'\(key)' must be 3 numbers") }
            return a.map(\.doubleValue)
        }
        func side(_ value: Int, _ key: String) throws -> Int {
            guard (1...Self.largestSide).contains(value) else {
                throw fail("'\(key)' is \(value); a size must be between 1 and \(Self.largestSide) pixels")
            }
            return value
        }
        func sizeValue(_ key: String, square: Bool) throws -> Size? {
            guard let v = dict[key], !(v is NSNull) else { return nil }
            if let b = v as? NSNumber, b.isJSONBoolean { throw fail("'\(key)' must be a number or an object, not \(b.boolValue)") }
            if let d = v as? [String: Any], let b = d.values.first(where: { ($0 as? NSNumber)?.isJSONBoolean == true }) as? NSNumber {
                throw fail("'\(key)' holds \(b.boolValue) where a side in pixels goes")
            }
            if let n = v as? Int {
                let n = try side(n, key)
                return square ? .exact(height: n, width: n) : .shortestEdge(n)
            }
            guard let d = v as? [String: Any] else { throw fail("'\(key)' must be a number or an object") }
            if let h = d["height"] as? Int, let w = d["width"] as? Int {
                return .exact(height: try side(h, "\(key).height"), width: try side(w, "\(key).width"))
            }
            if let s = d["shortest_edge"] as? Int {
                return .shortestEdge(try side(s, "\(key).shortest_edge"),
                                     longestEdge: try (d["longest_edge"] as? Int).map { try side($0, "\(key).longest_edge") })
            }
            throw fail("'\(key)' needs height and width, or shortest_edge")
        }

        if let v = try bool("do_resize") { config.doResize = v }
        if let v = try sizeValue("size", square: PreprocessorConfig.defaultToSquare(type)) { config.size = v }
        if let v = try number("resample") {
            guard v == v.rounded(), let r = Resampling(rawValue: Int(exactly: v) ?? -1) else { throw fail("unsupported resample \(v)") }
            config.resample = r
        }
        if let v = try bool("do_center_crop") { config.doCenterCrop = v }
        if let v = try sizeValue("crop_size", square: true) {
            guard case let .exact(h, w) = v else { throw fail("'crop_size' needs height and width") }
            config.cropSize = (h, w)
        }
        if let v = try bool("do_rescale") { config.doRescale = v }
        if let v = try number("rescale_factor") {
            guard v.isFinite else { throw fail("'rescale_factor' must be a finite number, got \(v)") }
            config.rescaleFactor = v
        }
        if let v = try bool("do_normalize") { config.doNormalize = v }
        if let v = try triple("image_mean") {
            guard v.allSatisfy(\.isFinite) else { throw fail("'image_mean' must be finite numbers, got \(v)") }
            config.imageMean = v
        }
        if let v = try triple("image_std") {
            guard v.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw fail("'image_std' must be numbers > 0 (a std of 0 divides by zero), got \(v)") }
            config.imageStd = v
        }
        if let v = try bool("do_convert_rgb") { config.doConvertRGB = v }
        if let v = try bool("rescale_offset") { config.rescaleOffset = v }
        if let v = try bool("include_top") { config.includeTop = v }
        if config.doCenterCrop && config.cropSize == nil { throw fail("'do_center_crop' is set but 'crop_size' is missing") }
        if let type, !Self.knownTypes.contains(Self.canonicalType(type)) {
            config.warnings.append("'\(path)': image processor '\(type)' is not one Embeval knows (\(Self.knownTypes.joined(separator: ", "))); fields the file leaves out take ViTImageProcessor's defaults")
        }
        self = config
    }

    /// This configuration with the overrides that are set replacing its values.
    public func applying(_ overrides: PreprocessorOverrides) -> PreprocessorConfig {
        var c = self
        if let n = overrides.imageSize { c.size = .exact(height: n, width: n); c.doResize = true }
        if let n = overrides.shortestEdge { c.size = .shortestEdge(n); c.doResize = true }
        if let n = overrides.cropSize { c.cropSize = (n, n); c.doCenterCrop = true }
        if let m = overrides.mean { c.imageMean = m; c.doNormalize = true }
        if let s = overrides.std { c.imageStd = s; c.doNormalize = true }
        if let r = overrides.resample { c.resample = r }
        return c
    }
}

/// Values given on the command line that replace those of `preprocessor_config.json` (nil keeps the file's).
public struct PreprocessorOverrides: Equatable, Sendable {
    /// Resize to exactly `imageSize`×`imageSize` (crop settings are kept).
    public var imageSize: Int?
    /// Resize the shorter side to this, keeping the aspect ratio.
    public var shortestEdge: Int?
    /// Centre-crop to `cropSize`×`cropSize` (turns cropping on).
    public var cropSize: Int?
    public var mean: [Double]?
    public var std: [Double]?
    public var resample: Resampling?
    /// Decode JPEGs reduced in the DCT domain to at least the resize target (`--jpeg-draft`, see `JPEGDraft`):
    /// faster, not pixel-identical to the Hugging Face pipeline.
    public var jpegDraft: Bool

    public init(imageSize: Int? = nil, shortestEdge: Int? = nil, cropSize: Int? = nil, mean: [Double]? = nil,
                std: [Double]? = nil, resample: Resampling? = nil, jpegDraft: Bool = false) {
        self.imageSize = imageSize
        self.shortestEdge = shortestEdge
        self.cropSize = cropSize
        self.mean = mean
        self.std = std
        self.resample = resample
        self.jpegDraft = jpegDraft
    }
}
