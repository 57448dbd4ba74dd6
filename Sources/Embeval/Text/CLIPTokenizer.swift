/// CLIP's byte-level BPE tokenizer run from a Hugging Face tokenizer.json the way `tokenizers` runs it: added
/// tokens, normaliser, pre-tokeniser, BPE with `</w>`, truncation (room left for bos/eos), post-processor.
public struct CLIPTokenizer: TextTokenizer {
    /// Tokens per text including bos/eos: tokenizer_config.json's `model_max_length`, else tokenizer.json's
    /// truncation length, else 77.
    public let maxLength: Int
    /// The pad token's id (tokenizer_config.json's `pad_token`; HF's CLIP uses `<|endoftext|>`, 49407).
    public let padID: Int
    /// nil: CLIP batches are padded to their longest text (the HF zero-shot pipeline passes `padding=True`).
    public let fixedLength: Int? = nil
    /// The ids put before and after every text (`<|startoftext|>` and `<|endoftext|>` for CLIP).
    public let prefixIDs: [Int]
    public let suffixIDs: [Int]

    let normalizer: TextNormalizer?
    let preTokenizer: PreTokenizer?
    let model: BPEModel
    public let warnings: [String]
    let rawAddedTokens: AddedTokenSplitter
    let normalizedAddedTokens: AddedTokenSplitter
    let postProcessor: PostProcessor
    let truncatesLeft: Bool

    /// Whether a tokenizer.json describes a CLIP-style BPE tokenizer (BPE with the `</w>` end-of-word suffix).
    public static func recognises(_ json: TokenizerJSON) -> Bool {
        json.modelType == "BPE" && json.modelString("end_of_word_suffix") == "</w>"
    }

    /// Reads `tokenizer.json`, `tokenizer.json.gz` or a model directory holding one.
    public init(path: String) throws { try self.init(files: TokenizerFiles(path: path)) }

    public init(files: TokenizerFiles) throws {
        let json = files.json, path = json.path
        guard json.modelType == "BPE" else {
            throw TokenizerError.tokenizerFile(path: path, reason: "model type '\(json.modelType)' is not BPE")
        }
        if let dropout = (json.model["dropout"] as? Double), dropout > 0 {
            throw TokenizerError.tokenizerFile(path: path, reason: "BPE dropout \(dropout) is not supported")
        }
        model = try BPEModel(json: json)
        warnings = json.merges.isEmpty
            ? ["tokenizer '\(path)': the BPE model has no merges, so every word is split into single characters"] : []
        let normalizer = try TextNormalizer(json: json.normalizer, path: path)
        self.normalizer = normalizer
        preTokenizer = try PreTokenizer(json: json.preTokenizer, path: path)
        postProcessor = try PostProcessor(json: json.postProcessor, path: path)
        prefixIDs = postProcessor.prefix
        suffixIDs = postProcessor.suffix
        rawAddedTokens = AddedTokenSplitter(tokens: json.addedTokens.filter { !$0.normalized })
        normalizedAddedTokens = AddedTokenSplitter(tokens: json.addedTokens.filter(\.normalized)) {
            normalizer?.apply($0.content) ?? $0.content
        }

        maxLength = files.modelMaxLength ?? (json.truncation?["max_length"] as? Int) ?? 77
        let side = (files.config?["truncation_side"] as? String) ?? (json.truncation?["direction"] as? String)
        truncatesLeft = side?.lowercased() == "left"

        let model = model, added = json.addedTokens
        func id(of token: String) -> Int? { added.first { $0.content == token }?.id ?? model.id(of: token) }
        if let pad = files.specialToken("pad_token") {
            guard let padID = id(of: pad) else {
                throw TokenizerError.tokenizerFile(path: files.path, reason: "pad token '\(pad)' is not in the vocabulary")
            }
            self.padID = padID
        } else if let padID = json.padding?["pad_id"] as? Int {
            self.padID = padID
        } else if let eos = files.specialToken("eos_token").flatMap(id(of:)) ?? postProcessor.suffix.last {
            self.padID = eos
        } else {
            throw TokenizerError.tokenizerFile(path: files.path, reason: "no pad token and no end-of-text token to pad with")
        }
    }

    /// The text's ids with the special tokens, truncated to `maxLength`, unpadded.
    public func encode(_ text: String) -> [Int] { encode(text, maxLength: maxLength) }

    /// As `encode`, truncating to `maxLength` tokens in all (nil: no truncation, as `tokenizers`' `encode` with
    /// no truncation configured).
    public func encode(_ text: String, maxLength: Int?) -> [Int] {
        var ids = modelIDs(text)
        if let maxLength {
            let room = max(0, maxLength - postProcessor.addedCount)
            if ids.count > room { ids = truncatesLeft ? Array(ids.suffix(room)) : Array(ids.prefix(room)) }
        }
        return postProcessor.apply(ids)
    }

    /// The ids of the text alone: no special tokens added, no truncation.
    public func modelIDs(_ text: String) -> [Int] {
        var ids = [Int]()
        for segment in rawAddedTokens.split(text) {
            guard case .text(let raw) = segment else {
                if case .token(let id) = segment { ids.append(id) }
                continue
            }
            let normalized = normalizer?.apply(raw) ?? raw
            for piece in normalizedAddedTokens.split(normalized) {
                switch piece {
                case .token(let id): ids.append(id)
                case .text(let text):
                    for word in preTokenizer?.split(text) ?? [text] { ids += model.tokenize(word) }
                }
            }
        }
        return ids
    }
}
