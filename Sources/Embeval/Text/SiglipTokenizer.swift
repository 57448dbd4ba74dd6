import Foundation

/// SigLIP's text tokenizer: transformers' `SiglipTokenizer` (the SentencePiece-backed one `AutoTokenizer` loads for
/// `siglip` checkpoints) over the checkpoint's `spiece.model`, padded as the HF zero-shot pipeline pads it — a
/// configuration of the tokenizer engine (`TokenizerPipeline(sentencePiece:…)`), not a tokenizer of its own.
///
/// Per text, as transformers 5 does it:
/// 1. "▁" is put in front and every "▁" in the text becomes a space;
/// 2. the text is split around the special/added tokens (`</s>`, `<unk>`, …; leftmost, longest first), stripping
///    whitespace next to tokens that ask for it (`lstrip`/`rstrip` in `added_tokens_decoder`);
/// 3. each other chunk is canonicalised — lower-cased (`do_lower_case`, Python's `str.lower`), ASCII punctuation
///    removed, whitespace runs collapsed to one space, stripped — then encoded by SentencePiece as "<unk>" + chunk,
///    dropping as many leading ids as "<unk>" alone encodes to;
/// 4. a lone leading "▁" before a special token is dropped; ids are truncated to `maxLength - 1` and `</s>` appended
///    unless the ids already end with it.
/// Padding: always to `fixedLength` (64) with `padID` (the `pad_token`, `</s>` in SigLIP checkpoints: id 1).
public struct SiglipTokenizer: TextTokenizer {
    /// The subset of `tokenizer_config.json` the tokenizer follows, with `SiglipTokenizer`'s defaults.
    public struct Config: Sendable, Equatable {
        /// A token from `added_tokens_decoder` (or a special token): its text and whitespace stripping.
        public struct AddedToken: Sendable, Equatable {
            public var content: String
            public var id: Int?
            public var lstrip = false
            public var rstrip = false
            public init(content: String, id: Int? = nil, lstrip: Bool = false, rstrip: Bool = false) {
                self.content = content
                self.id = id
                self.lstrip = lstrip
                self.rstrip = rstrip
            }
        }

        public var doLowerCase = true
        public var eosToken = "</s>"
        public var padToken = "</s>"
        public var unkToken = "<unk>"
        public var modelMaxLength = 64
        public var addedTokens: [AddedToken] = []
        public var additionalSpecialTokens: [String] = []

        public init() {}

        /// Reads `tokenizer_config.json` (and `special_tokens_map.json` for tokens the config leaves out) from a
        /// checkpoint directory; both are optional.
        public init(directory: URL) throws {
            self.init()
            let configURL = directory.appendingPathComponent("tokenizer_config.json")
            let mapURL = directory.appendingPathComponent("special_tokens_map.json")
            let config = try Self.jsonObject(configURL) ?? [:]
            let map = try Self.jsonObject(mapURL) ?? [:]
            let path = configURL.path

            if let v = config["do_lower_case"], !(v is NSNull) {
                guard let b = v as? Bool else { throw TokenizerError.modelFile(path: path, reason: "'do_lower_case' must be true or false") }
                doLowerCase = b
            }
            if let v = config["model_max_length"], !(v is NSNull) {
                guard let n = jsonNumber(v) else {
                    throw TokenizerError.modelFile(path: path, reason: "'model_max_length' must be a number")
                }
                // transformers writes a huge number when the checkpoint sets none.
                if n.doubleValue >= 1, n.doubleValue < 1e9 { modelMaxLength = n.intValue }
            }
            for (key, assign) in [("eos_token", \Config.eosToken), ("pad_token", \.padToken), ("unk_token", \.unkToken)] {
                if let token = try Self.tokenContent(config[key], key: key, path: path)
                    ?? Self.tokenContent(map[key], key: key, path: mapURL.path) {
                    self[keyPath: assign] = token
                }
            }
            if let decoder = config["added_tokens_decoder"], !(decoder is NSNull) {
                guard let entries = decoder as? [String: Any] else {
                    throw TokenizerError.modelFile(path: path, reason: "'added_tokens_decoder' must be an object")
                }
                for (key, value) in entries.sorted(by: { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }) {
                    guard let id = Int(key), (0...Int(Int32.max)).contains(id), let entry = value as? [String: Any],
                          let content = entry["content"] as? String
                    else { throw TokenizerError.modelFile(path: path, reason: "bad 'added_tokens_decoder' entry '\(key)' (a token id 0…2147483647 with its 'content')") }
                    addedTokens.append(AddedToken(content: content, id: id, lstrip: entry["lstrip"] as? Bool ?? false,
                                                  rstrip: entry["rstrip"] as? Bool ?? false))
                }
            }
            for key in ["additional_special_tokens", "extra_special_tokens"] {
                for source in [config, map] {
                    guard let list = source[key] as? [Any] else { continue }
                    for item in list {
                        if let s = item as? String { additionalSpecialTokens.append(s) }
                        if let d = item as? [String: Any], let s = d["content"] as? String { additionalSpecialTokens.append(s) }
                    }
                }
            }
        }

        private static func jsonObject(_ url: URL) throws -> [String: Any]? {
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw TokenizerError.modelFile(path: url.path, reason: "cannot read file")
            }
            guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
                throw TokenizerError.modelFile(path: url.path, reason: "not a JSON object")
            }
            return dict
        }

        private static func tokenContent(_ value: Any?, key: String, path: String) throws -> String? {
            guard let value, !(value is NSNull) else { return nil }
            if let s = value as? String { return s }
            if let d = value as? [String: Any], let s = d["content"] as? String { return s }
            throw TokenizerError.modelFile(path: path, reason: "'\(key)' must be a string or an object with 'content'")
        }
    }

    public let model: SentencePieceModel
    public let config: Config
    public let maxLength: Int
    public let padID: Int
    public let eosID: Int
    public var fixedLength: Int? { maxLength }
    public var summary: String { pipeline.summary }
    /// The engine configured with transformers' rules (see the type's comment).
    let pipeline: TokenizerPipeline

    /// Loads a checkpoint directory holding `spiece.model` (and usually `tokenizer_config.json`).
    public init(directory: URL, maxLength: Int = 64) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw TokenizerError.modelFile(path: directory.path, reason: "no such directory (expected a SigLIP tokenizer)") }
        let modelURL = directory.appendingPathComponent("spiece.model")
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw TokenizerError.modelFile(path: directory.path, reason: "no spiece.model (a SigLIP tokenizer needs spiece.model and tokenizer_config.json)")
        }
        try self.init(modelFile: modelURL, config: try Config(directory: directory), maxLength: maxLength)
    }

    /// A tokenizer from a SentencePiece model file and a config; `maxLength` is the length the HF zero-shot pipeline
    /// truncates and pads SigLIP texts to (64).
    public init(modelFile: URL, config: Config = Config(), maxLength: Int = 64) throws {
        try self.init(model: try SentencePieceModel(contentsOf: modelFile), config: config, maxLength: maxLength,
                      path: modelFile.path)
    }

    public init(model: SentencePieceModel, config: Config = Config(), maxLength: Int = 64,
                path: String = "spiece.model") throws {
        guard maxLength >= 1 else { throw TokenizerError.invalidSetting("SigLIP tokenizer: max length must be at least 1") }
        self.model = model
        self.config = config
        self.maxLength = maxLength

        var added = [String: Config.AddedToken]()
        for token in config.addedTokens where added[token.content] == nil { added[token.content] = token }
        func idOf(_ token: String, role: String) throws -> Int {
            if let id = added[token]?.id ?? model.id(of: token) { return id }
            throw TokenizerError.modelFile(path: path, reason: "the \(role) token '\(token)' is not in the vocabulary")
        }
        eosID = try idOf(config.eosToken, role: "eos")
        padID = try idOf(config.padToken, role: "pad")
        _ = try idOf(config.unkToken, role: "unk")

        var tokens = config.addedTokens
        for special in [config.eosToken, config.unkToken, config.padToken] + config.additionalSpecialTokens
        where !tokens.contains(where: { $0.content == special }) {
            tokens.append(Config.AddedToken(content: special))
        }
        let special = Set([config.eosToken, config.unkToken, config.padToken] + config.additionalSpecialTokens)
        let splitAround = tokens.map { token in
            AddedToken(id: token.id ?? model.id(of: token.content) ?? model.unkID, content: token.content,
                       lstrip: token.lstrip, rstrip: token.rstrip, special: special.contains(token.content))
        }
        pipeline = TokenizerPipeline(sentencePiece: model, unknownToken: config.unkToken, lowercase: config.doLowerCase,
                                     splitAround: splitAround, maxLength: maxLength, eosID: eosID, padID: padID)
    }

    /// Ids of one text with `</s>`, truncated to `maxLength`, unpadded (what the zero-shot pipeline feeds SigLIP,
    /// before padding).
    public func encode(_ text: String) -> [Int] { encode(text, truncate: true) }

    /// Ids of one text with `</s>`; `truncate: false` gives what `tokenizer.encode(text)` returns (any length).
    public func encode(_ text: String, truncate: Bool) -> [Int] { pipeline.encode(text, maxLength: truncate ? maxLength : nil) }

    /// `SiglipTokenizer.tokenize` + `convert_tokens_to_ids`: no special tokens added, no truncation.
    func tokenIDs(_ text: String) -> [Int] { pipeline.modelIDs(text) }

    /// `SiglipTokenizer.canonicalize_text`: lower-case, drop ASCII punctuation, collapse whitespace, strip.
    func canonicalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] { canonicalized(text, lowercase: config.doLowerCase) }
}

extension TokenizerPipeline {
    /// transformers' SentencePiece-backed tokenizer (SigLIP's) as a configuration of the engine: the input gets a
    /// "▁" in front (its own "▁"s become spaces); it is split around `splitAround` (leftmost-longest, `lstrip`/`rstrip`
    /// by Python's `isspace`); each chunk is canonicalised, then encoded by SentencePiece after `unknownToken`, whose
    /// own pieces are dropped; a lone "▁" before a special token at the start goes; `</s>` is appended unless the ids
    /// end with it, truncation leaving room for it; every text is padded to `maxLength`.
    init(sentencePiece model: SentencePieceModel, unknownToken: String, lowercase: Bool, splitAround: [AddedToken],
         maxLength: Int, eosID: Int, padID: Int) {
        self.maxLength = maxLength
        self.padID = padID
        fixedLength = maxLength
        padsLeft = false
        prefixIDs = []
        suffixIDs = [eosID]
        warnings = []
        summary = "spiece.model SentencePiece unigram (transformers' SiglipTokenizer rules)"
        inputNormalizer = .sequence([.replace(.literal("\u{2581}"), content: " "), .prefix("\u{2581}")])
        normalizer = .canonical(lowercase: lowercase)
        preTokenizer = nil
        self.model = .sentencePiece(SentencePieceWords(model: model, prefix: unknownToken))
        rawAddedTokens = AddedTokenSplitter(tokens: splitAround, isSpace: { $0.isPythonSpace })
        normalizedAddedTokens = AddedTokenSplitter(tokens: [])
        postProcessor = PostProcessor(suffix: [eosID], suffixUnlessPresent: true)
        truncatesLeft = false
        leadingSpaceID = model.id(of: "\u{2581}")
    }
}

/// Python's `str.lower()`: full Unicode lower-case mappings, with capital sigma's final form in word-final position.
func pythonLowercased(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
    var out = [Unicode.Scalar]()
    out.reserveCapacity(text.count)
    for (i, scalar) in text.enumerated() {
        if scalar.isASCII {
            out.append(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value + 32)! : scalar)
        } else if scalar == "\u{03A3}" {
            out.append(isFinalSigma(text, at: i) ? "\u{03C2}" : "\u{03C3}")
        } else {
            out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
    }
    return out
}

/// Unicode's Final_Sigma context: a cased letter before (skipping case-ignorables), none after.
private func isFinalSigma(_ text: [Unicode.Scalar], at index: Int) -> Bool {
    var j = index - 1
    while j >= 0 && text[j].properties.isCaseIgnorable { j -= 1 }
    guard j >= 0 && text[j].properties.isCased else { return false }
    j = index + 1
    while j < text.count && text[j].properties.isCaseIgnorable { j += 1 }
    return !(j < text.count && text[j].properties.isCased)
}

extension Unicode.Scalar {
    /// Python's `str.isspace()` (also what `\s` and `str.strip()` use).
    var isPythonSpace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            true
        default: false
        }
    }

    /// One of Python's `string.punctuation`.
    var isASCIIPunctuation: Bool {
        switch value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: true
        default: false
        }
    }
}
