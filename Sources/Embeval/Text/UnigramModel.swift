/// The unigram model of a tokenizer.json (XLM-R, jina-clip, multilingual CLIP, T5-style): the best-scoring
/// segmentation of each word (`UnigramLattice`, scores in Double as `tokenizers` keeps them), runs of unknown
/// characters fused into one piece, and a piece missing from the vocabulary becomes its `<0xXX>` byte tokens
/// (`byte_fallback`) or the unknown id.
struct UnigramModel: Sendable {
    private let pieces: [(piece: String, score: Double)]
    private let ids: [[UInt8]: Int]
    private let trie: ByteTrie
    let unkID: Int
    let byteFallback: Bool
    private let unknownScore: Double

    init(json: TokenizerJSON) throws {
        let pieces = json.unigramVocab
        guard !pieces.isEmpty else {
            throw TokenizerError.tokenizerFile(path: json.path, reason: "the Unigram model has an empty vocabulary")
        }
        guard let unk = (json.model["unk_id"] as? Int), pieces.indices.contains(unk) else {
            throw TokenizerError.tokenizerFile(path: json.path, reason: "the Unigram model has no unk_id inside its vocabulary")
        }
        // A repeated piece takes its last id (and so that entry's score), as tokenizers' map does.
        var ids = [[UInt8]: Int](minimumCapacity: pieces.count)
        for (id, entry) in pieces.enumerated() { ids[Array(entry.0.utf8)] = id }
        var trie = ByteTrie()
        for (id, entry) in pieces.enumerated() where !entry.0.isEmpty && ids[Array(entry.0.utf8)] == id {
            trie.insert(Array(entry.0.utf8), id: id)
        }
        self.pieces = pieces.map { (piece: $0.0, score: $0.1) }
        self.ids = ids
        self.trie = trie
        unkID = unk
        byteFallback = json.modelBool("byte_fallback")
        unknownScore = (pieces.map(\.1).min() ?? 0) - 10
    }

    func id(of token: String) -> Int? { ids[Array(token.utf8)] }

    /// Every piece, repeats included (tokenizers' `get_vocab_size`).
    var vocabularySize: Int { pieces.count }

    func tokenize(_ word: String) -> [Int] {
        let text = Array(word.utf8)
        let path = UnigramLattice.bestPath(text, trie: trie, unknownID: unkID, unknownScore: unknownScore) { id, _ in
            pieces[id].score
        }
        // Adjacent unknown pieces become one.
        var spans = [Range<Int>]()
        var previousUnknown = false
        for (range, id) in path {
            if id == unkID && previousUnknown, let last = spans.last {
                spans[spans.count - 1] = last.lowerBound..<range.upperBound
            } else {
                spans.append(range)
            }
            previousUnknown = id == unkID
        }
        var out = [Int]()
        for span in spans {
            let bytes = Array(text[span])
            if let id = ids[bytes] {
                out.append(id)
            } else if byteFallback, let byteIDs = ByteToken.ids(bytes, in: { ids[$0] }) {
                out += byteIDs
            } else {
                out.append(unkID)
            }
        }
        return out
    }
}

/// The names byte-fallback vocabularies give bytes: `<0x0A>`, `<0xE7>`.
enum ByteToken {
    static func name(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" : "") + hex + ">"
    }

    /// The ids of the bytes' tokens, when `lookup` (a vocabulary keyed by UTF-8 bytes) has every one.
    static func ids(_ bytes: some Sequence<UInt8>, in lookup: ([UInt8]) -> Int?) -> [Int]? {
        var out = [Int]()
        for byte in bytes {
            guard let id = lookup(Array(name(byte).utf8)) else { return nil }
            out.append(id)
        }
        return out
    }
}
