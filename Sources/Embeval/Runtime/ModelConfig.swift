import Foundation

/// The few fields of a Hugging Face `config.json` that evaluation needs (token layout for pooling, sizes).
/// For two-tower configs (CLIP, SigLIP) missing sizes are taken from `vision_config`.
public struct ModelConfig: Equatable, Sendable, Decodable {
    public var modelType: String?
    /// Register tokens after CLS (DINOv2 with registers); 0 when absent.
    public var numRegisterTokens: Int
    public var hiddenSize: Int?
    public var imageSize: Int?
    public var patchSize: Int?
    /// Attention heads per block (`num_attention_heads`), when the config says.
    public var numAttentionHeads: Int?

    public init(modelType: String? = nil, numRegisterTokens: Int = 0, hiddenSize: Int? = nil,
                imageSize: Int? = nil, patchSize: Int? = nil) {
        self.modelType = modelType
        self.numRegisterTokens = numRegisterTokens
        self.hiddenSize = hiddenSize
        self.imageSize = imageSize
        self.patchSize = patchSize
    }

    private enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case numRegisterTokens = "num_register_tokens"
        case hiddenSize = "hidden_size"
        case imageSize = "image_size"
        case patchSize = "patch_size"
        case numAttentionHeads = "num_attention_heads"
        case visionConfig = "vision_config"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let vision = try? container.nestedContainer(keyedBy: CodingKeys.self, forKey: .visionConfig)
        func int(_ key: CodingKeys) -> Int? {
            (try? container.decodeIfPresent(Int.self, forKey: key)) ?? (try? vision?.decodeIfPresent(Int.self, forKey: key)) ?? nil
        }
        modelType = try? container.decodeIfPresent(String.self, forKey: .modelType)
        // Where registers start decides which tokens are patches: a value that is not an integer is an error, never 0.
        numRegisterTokens = try container.decodeIfPresent(Int.self, forKey: .numRegisterTokens)
            ?? vision?.decodeIfPresent(Int.self, forKey: .numRegisterTokens) ?? 0
        // Registers set where patch tokens start; no ViT has thousands (−5 indexed before the class token).
        guard Self.registerCounts.contains(numRegisterTokens) else {
            throw DecodingError.dataCorruptedError(forKey: .numRegisterTokens, in: container, debugDescription:
                "num_register_tokens must be \(Self.registerCounts.lowerBound)…\(Self.registerCounts.upperBound), got \(numRegisterTokens)")
        }
        hiddenSize = int(.hiddenSize)
        imageSize = int(.imageSize)
        patchSize = int(.patchSize)
        numAttentionHeads = int(.numAttentionHeads)
    }

    /// Reads and parses a config.json file.
    public static func load(from url: URL) throws(RuntimeError) -> ModelConfig {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RuntimeError.invalidConfig(path: url.path, reason: "cannot read the file")
        }
        do { return try JSONDecoder().decode(ModelConfig.self, from: data) } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            throw RuntimeError.invalidConfig(path: url.path, reason: context.debugDescription)
        } catch DecodingError.typeMismatch(let type, let context) where !context.codingPath.isEmpty {
            // A field of the wrong type (`"num_register_tokens": "4"`) is named, not called invalid JSON.
            throw RuntimeError.invalidConfig(path: url.path, reason: "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' must be \(type == Int.self ? "an integer" : "a \(type)")")
        } catch {
            throw RuntimeError.invalidConfig(path: url.path, reason: "not a valid JSON object")
        }
    }

    /// The register counts a config may give.
    public static let registerCounts = 0...4096
}
