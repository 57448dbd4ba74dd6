import Foundation

/// Where a two-tower model's parts are: one combined export (CLIP as optimum writes it), or one export per role
/// (`-m image-encoder=PATH -m text-encoder=PATH`, the seed CLI's form).
public enum ModelRoles: Equatable, Sendable {
    case combined(String)
    case split(image: String, text: String)

    public static let accepted = ["image-encoder", "text-encoder"]

    /// Parses the values of `-m`: a single path, or `role=path` pairs for both roles.
    public init(arguments: [String]) throws {
        guard !arguments.isEmpty else { throw EmbeddingError.invalidArgument("-m MODEL is required") }
        if arguments.count == 1 && !arguments[0].contains("=") {
            self = .combined(arguments[0])
            return
        }
        var roles = [String: String]()
        for argument in arguments {
            let pair = argument.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, Self.accepted.contains(pair[0]) else {
                throw EmbeddingError.invalidArgument("-m '\(argument)': unknown role (accepted roles: \(Self.accepted.joined(separator: ", ")), as -m image-encoder=PATH -m text-encoder=PATH)")
            }
            guard roles[pair[0]] == nil else { throw EmbeddingError.invalidArgument("-m: role '\(pair[0])' given twice") }
            roles[pair[0]] = pair[1]
        }
        guard let image = roles["image-encoder"], let text = roles["text-encoder"] else {
            let missing = Self.accepted.filter { roles[$0] == nil }
            throw EmbeddingError.invalidArgument("-m: missing role \(missing.joined(separator: " and ")) (accepted roles: \(Self.accepted.joined(separator: ", ")))")
        }
        self = .split(image: image, text: text)
    }
}

/// The inputs a combined two-tower graph needs from the other tower on every run: a one-item dummy of each, which
/// does not change this tower's embeddings. When the graph's inputs share one symbolic batch axis (as
/// `torch.onnx.export` writes `dynamic_axes` named alike), ONNX Runtime wants every input of a run to have the same
/// batch size, so the dummies are repeated to the batch's size.
public struct OtherTowerFeeds: Sendable {
    public var dummies: [String: InputTensor]
    public var matchBatch: Bool

    public init(_ dummies: [String: InputTensor] = [:], matchBatch: Bool = false) {
        self.dummies = dummies
        self.matchBatch = matchBatch
    }

    /// The feeds for a run of `batch` items of this tower.
    func feeds(forBatch batch: Int) -> [String: InputTensor] {
        matchBatch && batch != 1 ? dummies.mapValues { $0.repeated(batch) } : dummies
    }

    /// Whether the text tower's `input_ids` and an image (float) input share a symbolic name on their batch axis.
    static func sharesBatchAxis(_ session: InferenceSession) -> Bool {
        guard let text = session.input(named: "input_ids")?.symbolicNames.first ?? nil else { return false }
        return session.inputs.contains { input in
            [.float32, .float16, .float64].contains(input.elementType) && input.symbolicNames.first == text
        }
    }
}

/// A CLIP/SigLIP-style model: an image tower and a text tower whose embeddings share one space.
public struct TwoTowerModel: Sendable {
    public let image: OnnxImageModel
    public let text: TextEncoder
    public let name: String
    public let metadata: JSONValue

    /// Opens the towers; `tokenizer` reads the text tower's own tokenizer files (a directory or a file). `hubID`: the
    /// model's Hugging Face id, whose hub-cache snapshot supplies the configs and tokenizer the towers' folders lack.
    public init(_ roles: ModelRoles, threads: Int? = nil, overrides: PreprocessorOverrides = PreprocessorOverrides(),
                hubID: String? = nil, tokenizer loadTokenizer: (URL) throws -> TextTokenizer) throws {
        switch roles {
        case .split(let imagePath, let textPath):
            let imageFiles = try ModelFiles.resolve(imagePath, hubID: hubID), textFiles = try ModelFiles.resolve(textPath, hubID: hubID)
            let imageSession = try InferenceSession(modelPath: imageFiles.model.path, threads: threads)
            image = try OnnxImageModel(files: imageFiles, session: imageSession,
                                       poolings: [Self.imageOutput(imageSession)], overrides: overrides)
            let textSession = try InferenceSession(modelPath: textFiles.model.path, threads: threads)
            try Self.requireTextInput(textSession, role: "text-encoder '\(textPath)'")
            text = try TextEncoder(session: textSession, tokenizer: loadTokenizer(textFiles.tokenizerDirectory))
            // Towers exported side by side (model/image-encoder, model/text-encoder) are named after their folder.
            let imageDir = imageFiles.model.deletingLastPathComponent(), textDir = textFiles.model.deletingLastPathComponent()
            name = imageDir.deletingLastPathComponent().path == textDir.deletingLastPathComponent().path
                ? imageDir.deletingLastPathComponent().lastPathComponent
                : "\(imageDir.lastPathComponent) + \(textDir.lastPathComponent)"
            metadata = .object([("image_encoder", image.metadata),
                                ("text_encoder", .object([("path", .string(textFiles.model.path)),
                                                          ("sha256", .string(try textFiles.sha256())),
                                                          ("output", .string(text.outputName))]))])
        case .combined(let path):
            let files = try ModelFiles.resolve(path, hubID: hubID)
            let session = try InferenceSession(modelPath: files.model.path, threads: threads)
            try Self.requireTextInput(session, role: "model '\(path)'")
            let tokenizer = try loadTokenizer(files.tokenizerDirectory)
            // A combined graph needs every input on every run: the image side gets a one-text dummy, the text
            // side a one-image dummy; neither changes the other side's embeddings.
            let dummyText = tokenizer.batch([""])
            var textFeeds = [String: InputTensor]()
            textFeeds["input_ids"] = .int64(shape: [1, dummyText.length], values: dummyText.ids[0].map(Int64.init))
            if session.input(named: "attention_mask") != nil {
                textFeeds["attention_mask"] = .int64(shape: [1, dummyText.length], values: dummyText.attentionMask[0].map(Int64.init))
            }
            let shared = OtherTowerFeeds.sharesBatchAxis(session)
            image = try OnnxImageModel(files: files, session: session, poolings: [Self.imageOutput(session)],
                                       overrides: overrides, otherTower: OtherTowerFeeds(textFeeds, matchBatch: shared))
            let (h, w) = image.preprocessor.outputSize(width: 224, height: 224)
            let dummyImage = InputTensor.float32(Tensor(shape: [1, 3, h, w], values: [Float](repeating: 0, count: 3 * h * w)))
            text = try TextEncoder(session: session, tokenizer: tokenizer,
                                   otherTower: OtherTowerFeeds([image.inputName: dummyImage], matchBatch: shared))
            name = image.name
            metadata = .object([("combined", image.metadata), ("text_output", .string(text.outputName))])
        }
    }

    /// A two-tower model needs a text tower: an `input_ids` input. Checked before its tokenizer is looked for, so a
    /// plain backbone given by mistake is named as such.
    static func requireTextInput(_ session: InferenceSession, role: String) throws {
        guard session.input(named: "input_ids") != nil else {
            throw EmbeddingError.incompatibleModel("\(role) has no text tower (inputs: \(session.inputs.map(\.name).joined(separator: ", "))): zero-shot needs a two-tower (CLIP/SigLIP) export, or its towers as -m image-encoder=PATH -m text-encoder=PATH")
        }
    }

    /// The image tower's embedding: `image_embeds` (CLIP with projection), else `pooler_output` (SigLIP).
    static func imageOutput(_ session: InferenceSession) throws -> Pooling {
        if session.output(named: "image_embeds") != nil { return .output("image_embeds") }
        if session.output(named: "pooler_output") != nil { return .pooler }
        throw EmbeddingError.incompatibleModel("image encoder '\(session.modelPath)' has neither 'image_embeds' nor 'pooler_output'; outputs: \(session.outputs.map(\.name).joined(separator: ", "))")
    }
}
