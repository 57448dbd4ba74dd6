/// WordPiece as `tokenizers` runs it (BERT, ALIGN, Chinese-CLIP): a word longer than `maxInputCharsPerWord`
/// characters is `[UNK]`; otherwise the longest vocabulary token at the start is taken, then the longest
/// `##`-prefixed token after it, and so on — and if some position has none, the whole word is `[UNK]`.
struct WordPieceModel: Sendable {
    /// Token (UTF-8 bytes: compared exactly, not by canonical equivalence) → id.
    private let vocab: [[UInt8]: Int]
    private let prefix: [UInt8]
    let unkID: Int
    let maxInputCharsPerWord: Int
    /// The longest token in characters, which bounds the candidates tried at each position (so a long word costs
    /// time linear in its length).
    private let longestToken: Int

    init(json: TokenizerJSON) throws {
        var vocab = [[UInt8]: Int](minimumCapacity: json.vocab.count)
        var longest = 1
        for (token, id) in json.vocab {
            vocab[Array(token.utf8)] = id
            longest = max(longest, token.unicodeScalars.count)
        }
        self.vocab = vocab
        prefix = Array((json.modelString("continuing_subword_prefix") ?? "##").utf8)
        let unk = json.modelString("unk_token") ?? "[UNK]"
        guard let unkID = vocab[Array(unk.utf8)] else {
            throw TokenizerError.tokenizerFile(path: json.path, reason: "WordPiece unk_token '\(unk)' is not in the vocabulary")
        }
        self.unkID = unkID
        maxInputCharsPerWord = (json.model["max_input_chars_per_word"] as? Int) ?? 100
        longestToken = longest
    }

    func id(of token: String) -> Int? { vocab[Array(token.utf8)] }

    var vocabularySize: Int { vocab.count }

    func tokenize(_ word: String) -> [Int] {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count <= maxInputCharsPerWord else { return [unkID] }
        // Byte offsets of each character boundary.
        var offsets = [0]
        offsets.reserveCapacity(scalars.count + 1)
        for s in scalars { offsets.append(offsets.last! + UTF8.width(s)) }
        let bytes = Array(word.utf8)
        var ids = [Int](), start = 0
        while start < scalars.count {
            var end = min(scalars.count, start + longestToken), found: Int?
            while end > start {
                var candidate = start > 0 ? prefix : []
                candidate += bytes[offsets[start]..<offsets[end]]
                if let id = vocab[candidate] { found = id; break }
                end -= 1
            }
            guard let id = found else { return [unkID] }
            ids.append(id)
            start = end
        }
        return ids
    }
}

/// A whole-word vocabulary (`WordLevel`): each word's id, or the unknown token's.
struct WordLevelModel: Sendable {
    private let vocab: [[UInt8]: Int]
    let unkID: Int

    init(json: TokenizerJSON) throws {
        var vocab = [[UInt8]: Int](minimumCapacity: json.vocab.count)
        for (token, id) in json.vocab { vocab[Array(token.utf8)] = id }
        self.vocab = vocab
        let unk = json.modelString("unk_token") ?? "<unk>"
        guard let unkID = vocab[Array(unk.utf8)] else {
            throw TokenizerError.tokenizerFile(path: json.path, reason: "WordLevel unk_token '\(unk)' is not in the vocabulary")
        }
        self.unkID = unkID
    }

    func id(of token: String) -> Int? { vocab[Array(token.utf8)] }

    var vocabularySize: Int { vocab.count }

    func tokenize(_ word: String) -> [Int] { [vocab[Array(word.utf8)] ?? unkID] }
}
