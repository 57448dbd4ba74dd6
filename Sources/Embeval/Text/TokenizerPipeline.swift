/// Any Hugging Face tokenizer.json run the way the Rust `tokenizers` library runs it — one engine for every
/// two-tower family (CLIP's byte-level BPE, SigLIP 2's Gemma BPE with byte fallback, BERT's WordPiece, XLM-R's
/// Unigram): added tokens, normalizer, pre-tokenizer, model, truncation (room left for the special tokens),
/// post-processor; then padding as `tokenizer_config.json` and the zero-shot pipeline ask.
public struct TokenizerPipeline: TextTokenizer {
    /// Tokens per text including the special ones: tokenizer_config.json's `model_max_length`, else tokenizer.json's
    /// truncation length, else 77 (CLIP's).
    public let maxLength: Int
    /// The pad token's id (tokenizer_config.json's `pad_token`, else tokenizer.json's padding, else the end token).
    public let padID: Int
    /// Pad to this many tokens (SigLIP-family models: 64, as the zero-shot pipeline does), or to the longest text.
    public let fixedLength: Int?
    /// Padding goes before the text (`padding_side: left`).
    public let padsLeft: Bool
    /// The ids put before and after every text (`<|startoftext|>` and `<|endoftext|>` for CLIP, `[CLS]`/`[SEP]` for BERT).
    public let prefixIDs: [Int]
    public let suffixIDs: [Int]
    public internal(set) var warnings: [String]
    /// "tokenizer.json" and the model type, for `inspect`.
    public let summary: String

    let normalizer: TextNormalizer?
    let preTokenizer: PreTokenizer?
    let model: TokenizerModel
    let rawAddedTokens: AddedTokenSplitter
    let normalizedAddedTokens: AddedTokenSplitter
    let postProcessor: PostProcessor
    let truncatesLeft: Bool
    /// Rewrites the whole input before added tokens are looked for (transformers' SentencePiece tokenizers put
    /// "▁" in front); tokenizer.json pipelines have none.
    var inputNormalizer: TextNormalizer? = nil
    /// The id of a lone "▁" that is dropped when a special token follows it at the start (transformers'
    /// SentencePiece tokenizers); nil for tokenizer.json pipelines.
    var leadingSpaceID: Int? = nil

    /// Reads `tokenizer.json`, `tokenizer.json.gz` or a model directory holding one.
    public init(path: String, fixedLength: Int? = nil) throws {
        try self.init(files: TokenizerFiles(path: path), fixedLength: fixedLength)
    }

    /// The pipeline the files describe; `fixedLength` pads (and truncates) every text to that many tokens.
    public init(files: TokenizerFiles, fixedLength: Int? = nil) throws {
        let json = files.json
        model = try TokenizerModel(json: json)
        summary = "tokenizer.json \(json.modelType)"
        var warnings = [String]()
        if json.modelType == "BPE" && json.merges.isEmpty {
            warnings.append("tokenizer '\(json.path)': the BPE model has no merges, so every word is split into single characters")
        }
        if let dropout = (json.model["dropout"] as? Double), dropout > 0 {
            warnings.append("tokenizer '\(json.path)': BPE dropout \(dropout) is a training setting and is not applied")
        }
        self.warnings = warnings
        let normalizer = try TextNormalizer(json: json.normalizer, path: json.path)
        self.normalizer = normalizer
        preTokenizer = try PreTokenizer(json: json.preTokenizer, path: json.path)
        postProcessor = try PostProcessor(json: json.postProcessor, path: json.path)
        prefixIDs = postProcessor.prefix
        suffixIDs = postProcessor.suffix
        let model = model
        let added = AddedToken.resolvingIDs(json.addedTokens, vocabularySize: model.vocabularySize, modelID: model.id(of:))
        rawAddedTokens = AddedTokenSplitter(tokens: added.filter { !$0.normalized })
        normalizedAddedTokens = AddedTokenSplitter(tokens: added.filter(\.normalized), contents: {
            normalizer?.apply($0.content) ?? $0.content
        })

        // The length and the setting it comes from (nil: the caller's fixed length). Every text takes the special
        // tokens; a length with no room after them would make every prompt the same.
        let configured = jsonNumber(files.config?["model_max_length"])?.stringValue
        let truncation = (json.truncation?["max_length"] as? Int).flatMap { $0 >= 1 ? $0 : nil }
        let (length, setting): (Int, String?) =
            if let fixedLength { (fixedLength, nil) }
            else if let modelMaxLength = files.modelMaxLength { (modelMaxLength, "tokenizer_config.json's model_max_length \(configured ?? "\(modelMaxLength)")") }
            else if let truncation { (truncation, "tokenizer.json's truncation max_length \(truncation)") }
            else { (77, "the default length 77") }
        let specials = postProcessor.addedCount
        guard length > specials else {
            let room = specials == 0 ? "leaves no room for text" : "leaves no room for text after the \(specials) special tokens every text takes"
            guard let setting else { throw TokenizerError.invalidSetting("tokenizer: a fixed length of \(length) \(room)") }
            throw TokenizerError.tokenizerFile(path: files.path, reason: "\(setting) \(room)")
        }
        maxLength = length
        self.fixedLength = fixedLength
        let side = (files.config?["truncation_side"] as? String) ?? (json.truncation?["direction"] as? String)
        truncatesLeft = side?.lowercased() == "left"
        let padSide = (files.config?["padding_side"] as? String) ?? (json.padding?["direction"] as? String)
        padsLeft = padSide?.lowercased() == "left"

        func id(of token: String) -> Int? { added.first { $0.content.utf8.elementsEqual(token.utf8) }?.id ?? model.id(of: token) }
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
            // Nothing to pad with: id 0, masked out, and said.
            self.padID = 0
            self.warnings.append("tokenizer '\(files.path)': no pad or end-of-text token; padding uses id 0 (masked out)")
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

    /// The ids of the text alone: no special tokens added, no truncation. Added tokens are found in the raw text,
    /// then (those marked `normalized`) in each normalised stretch; the words between them go through the model.
    public func modelIDs(_ text: String) -> [Int] {
        var ids = [Int]()
        var first = true
        var specialSecond = false
        for segment in rawAddedTokens.split(inputNormalizer?.apply(text) ?? text) {
            guard case .text(let raw) = segment else {
                if case .token(let token) = segment {
                    if ids.count == 1 { specialSecond = token.special }
                    ids.append(token.id)
                }
                first = false
                continue
            }
            let normalized = normalizer?.apply(raw) ?? raw
            // The normalised characters that stand for the input's first one (NFKC makes "…" three).
            var originLength = 0
            if first, let head = raw.unicodeScalars.first {
                originLength = normalizer.map { $0.apply(String(head)).unicodeScalars.count } ?? 1
            }
            for piece in normalizedAddedTokens.split(normalized) {
                switch piece {
                case .token(let token):
                    if ids.count == 1 { specialSecond = token.special }
                    ids.append(token.id)
                case .text(let text):
                    for word in preTokenizer?.split(text, originLength: originLength) ?? (text.isEmpty ? [] : [text]) {
                        ids += model.tokenize(word)
                    }
                }
                originLength = 0
            }
            first = false
        }
        if let space = leadingSpaceID, ids.count > 1, ids[0] == space, specialSecond { ids.removeFirst() }
        return ids
    }
}
