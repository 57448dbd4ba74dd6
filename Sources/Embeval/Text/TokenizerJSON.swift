import Foundation

/// The sections of a Hugging Face `tokenizer.json` (as written by `tokenizers` / `save_pretrained`), read with
/// JSONSerialization: the model (type, vocabulary, merges, options) and the raw pipeline sections around it.
public struct TokenizerJSON: @unchecked Sendable {
    /// Where it was read from, for error messages.
    public var path: String
    /// `model.type`: "BPE", "Unigram", "WordPiece", "WordLevel" (older files omit it for BPE: inferred from merges).
    public var modelType: String
    /// `model.vocab` of BPE/WordPiece/WordLevel models: (token, id) in file order, every token kept as written
    /// (`VocabularyScanner`; the models compare tokens byte for byte).
    public var vocab: [(token: String, id: Int)]
    /// `model.vocab` of Unigram models: (piece, log probability) in id order.
    public var unigramVocab: [(String, Double)]
    /// `model.merges` in rank order, from either the "a b" string form or the ["a", "b"] array form.
    public var merges: [(String, String)]
    /// The whole `model` object (options such as `unk_token`, `end_of_word_suffix`, `fuse_unk`, `ignore_merges`).
    public var model: [String: Any]
    /// `added_tokens`, in file order.
    public var addedTokens: [AddedToken]
    /// The pipeline sections, raw (nil when null or absent).
    public var normalizer: [String: Any]?
    public var preTokenizer: [String: Any]?
    public var postProcessor: [String: Any]?
    public var decoder: [String: Any]?
    public var truncation: [String: Any]?
    public var padding: [String: Any]?

    /// Parses a tokenizer.json document; `path` names it in errors.
    public init(data: Data, path: String) throws {
        self.path = path
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Self.escapingByteOrderMarks(data)) as? [String: Any] else {
                throw TokenizerError.tokenizerFile(path: path, reason: "not a JSON object")
            }
            root = object
        } catch let error as TokenizerError { throw error } catch {
            throw TokenizerError.tokenizerFile(path: path, reason: "invalid JSON (\(error.localizedDescription))")
        }
        guard let model = root["model"] as? [String: Any] else {
            throw TokenizerError.tokenizerFile(path: path, reason: "no \"model\" section (is this a Hugging Face tokenizer.json?)")
        }
        self.model = model
        let rawMerges = model["merges"] as? [Any]
        modelType = (model["type"] as? String) ?? (rawMerges != nil ? "BPE" : "unknown")
        vocab = []
        unigramVocab = []
        if let dict = model["vocab"] as? [String: Any] {
            let entries: [(token: String, id: Any)] = VocabularyScanner.vocabulary(in: [UInt8](data)).map { $0.map { ($0.token, $0.id as Any) } }
                ?? dict.map { ($0.key, $0.value) }
            vocab.reserveCapacity(entries.count)
            for (token, id) in entries {
                guard let number = id as? NSNumber ?? (id as? Int).map(NSNumber.init(value:)),
                      let id = Int(exactly: number.doubleValue), (0...Int(Int32.max)).contains(id) else {
                    throw TokenizerError.tokenizerFile(path: path, reason: "vocabulary id of '\(token)' is not an integer from 0 to \(Int32.max)")
                }
                vocab.append((token, id))
            }
        } else if let list = model["vocab"] as? [Any] {
            for entry in list {
                guard let pair = entry as? [Any], pair.count == 2, let piece = pair[0] as? String,
                    let score = (pair[1] as? NSNumber)?.doubleValue
                else { throw TokenizerError.tokenizerFile(path: path, reason: "malformed unigram vocabulary entry") }
                unigramVocab.append((piece, score))
            }
        }
        merges = []
        if let rawMerges {
            merges.reserveCapacity(rawMerges.count)
            for (rank, entry) in rawMerges.enumerated() {
                if let line = entry as? String {
                    // Split on the space character itself, not on grapheme clusters (" \u{308}" is one cluster).
                    if rank == 0 && line.hasPrefix("#version") { continue }
                    let parts = line.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false)
                    guard parts.count == 2 else {
                        throw TokenizerError.tokenizerFile(path: path, reason: "merge \(rank) '\(line)' is not two tokens")
                    }
                    merges.append((String(String.UnicodeScalarView(parts[0])), String(String.UnicodeScalarView(parts[1]))))
                } else if let pair = entry as? [Any], pair.count == 2, let a = pair[0] as? String, let b = pair[1] as? String {
                    merges.append((a, b))
                } else {
                    throw TokenizerError.tokenizerFile(path: path, reason: "merge \(rank) is neither \"a b\" nor [a, b]")
                }
            }
        }
        addedTokens = try ((root["added_tokens"] as? [Any]) ?? []).map { entry in
            guard let object = entry as? [String: Any], let token = AddedToken(json: object) else {
                throw TokenizerError.tokenizerFile(path: path, reason: "malformed added_tokens entry")
            }
            return token
        }
        normalizer = root["normalizer"] as? [String: Any]
        preTokenizer = root["pre_tokenizer"] as? [String: Any]
        postProcessor = root["post_processor"] as? [String: Any]
        decoder = root["decoder"] as? [String: Any]
        truncation = root["truncation"] as? [String: Any]
        padding = root["padding"] as? [String: Any]
    }

    /// The JSON with every U+FEFF after the first byte written as the escape `\ufeff`: Foundation's parser drops the
    /// character where it begins a string (a vocabulary token "\u{FEFF}…" would lose it); escaped it is kept. Outside
    /// strings a U+FEFF is invalid JSON either way.
    static func escapingByteOrderMarks(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        guard bytes.count > 3 else { return data }
        var out = [UInt8](), i = 0
        out.reserveCapacity(bytes.count)
        while i < bytes.count {
            if i > 0, bytes[i] == 0xEF, i + 2 < bytes.count, bytes[i + 1] == 0xBB, bytes[i + 2] == 0xBF {
                out += Array(#"\ufeff"#.utf8)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return Data(out)
    }

    /// A string option of the model (nil when absent or null).
    func modelString(_ key: String) -> String? { model[key] as? String }

    /// A boolean option of the model.
    func modelBool(_ key: String, default value: Bool = false) -> Bool { (model[key] as? Bool) ?? value }
}

/// One `added_tokens` entry: a string matched in the text before normalisation (or after, when `normalized`).
public struct AddedToken: Equatable, Sendable {
    public var id: Int
    public var content: String
    public var singleWord: Bool
    public var lstrip: Bool
    public var rstrip: Bool
    public var normalized: Bool
    public var special: Bool

    init(id: Int, content: String, lstrip: Bool = false, rstrip: Bool = false, special: Bool) {
        self.id = id
        self.content = content
        singleWord = false
        self.lstrip = lstrip
        self.rstrip = rstrip
        normalized = false
        self.special = special
    }

    init?(json: [String: Any]) {
        guard let id = (json["id"] as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }), id >= 0, let content = json["content"] as? String else { return nil }
        self.id = id
        self.content = content
        singleWord = (json["single_word"] as? Bool) ?? false
        lstrip = (json["lstrip"] as? Bool) ?? false
        rstrip = (json["rstrip"] as? Bool) ?? false
        special = (json["special"] as? Bool) ?? false
        normalized = (json["normalized"] as? Bool) ?? !special
    }

    /// The tokens with the ids `tokenizers` gives them when it loads a file, which are not always the ids written
    /// there: a content the model has keeps the model's id; new ones are numbered from the model's vocabulary size
    /// on, in file order; a repeated content keeps its first id and takes the last entry's options; an empty one is
    /// skipped; and where two contents end up on one id (a vocabulary with gaps), the later one holds it.
    /// Contents are compared byte for byte, as Rust compares them.
    static func resolvingIDs(_ tokens: [AddedToken], vocabularySize: Int, modelID: (String) -> Int?) -> [AddedToken] {
        var resolved = [AddedToken](), index = [[UInt8]: Int]()
        var next = vocabularySize
        for var token in tokens where !token.content.isEmpty {
            let key = Array(token.content.utf8)
            if let i = index[key] {
                token.id = resolved[i].id
                resolved[i] = token
                continue
            }
            if let id = modelID(token.content) {
                token.id = id
            } else {
                token.id = next
                next += 1
            }
            index[key] = resolved.count
            resolved.append(token)
        }
        var holder = [Int: Int]()
        for (i, token) in resolved.enumerated() { holder[token.id] = i }
        return resolved.indices.filter { holder[resolved[$0].id] == $0 }.map { resolved[$0] }
    }
}
