import Foundation

/// Byte-pair encoding as `tokenizers`' BPE model does it: a word's characters (the last one with
/// `end_of_word_suffix`, the others after the first with `continuing_subword_prefix`) become vocabulary ids, then
/// the adjacent pair of lowest merge rank (leftmost on ties) is merged until no pair has a rank. Words are cached.
final class BPEModel: @unchecked Sendable {
    /// Token → id. (Swift's `String ==` equates canonically equivalent strings, as the JSON reader's dictionary
    /// already does; byte-level vocabularies have none.)
    let vocab: [String: Int]
    /// (left id << 32 | right id) → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    let unkID: Int?
    let fuseUnk: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    let prefix: String
    let suffix: String
    private let lock = NSLock()
    private var cache = [String: [Int]]()
    private static let cacheCapacity = 10_000

    init(json: TokenizerJSON) throws {
        let vocab = json.vocab
        self.vocab = vocab
        prefix = json.modelString("continuing_subword_prefix") ?? ""
        suffix = json.modelString("end_of_word_suffix") ?? ""
        var merges = [UInt64: (rank: Int32, id: Int32)](minimumCapacity: json.merges.count)
        for (rank, (a, b)) in json.merges.enumerated() {
            let joined = a + (b.hasPrefix(prefix) ? String(b.dropFirst(prefix.count)) : b)
            guard let left = vocab[a], let right = vocab[b], let id = vocab[joined] else {
                throw TokenizerError.tokenizerFile(path: json.path, reason: "merge \(rank) '\(a) \(b)' uses a token not in the vocabulary")
            }
            let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
            if merges[key] == nil { merges[key] = (Int32(rank), Int32(id)) }
        }
        self.merges = merges
        if let unk = json.modelString("unk_token") {
            guard let id = vocab[unk] else {
                throw TokenizerError.tokenizerFile(path: json.path, reason: "unk_token '\(unk)' is not in the vocabulary")
            }
            unkID = id
        } else {
            unkID = nil
        }
        fuseUnk = json.modelBool("fuse_unk")
        byteFallback = json.modelBool("byte_fallback")
        ignoreMerges = json.modelBool("ignore_merges")
    }

    /// The id of a token, if the vocabulary has it.
    func id(of token: String) -> Int? { vocab[token] }

    /// The ids of one pre-tokenised word.
    func tokenize(_ word: String) -> [Int] {
        lock.lock()
        let hit = cache[word]
        lock.unlock()
        if let hit { return hit }
        let ids = merge(word)
        lock.lock()
        if cache.count < Self.cacheCapacity { cache[word] = ids }
        lock.unlock()
        return ids
    }

    private func merge(_ word: String) -> [Int] {
        if ignoreMerges, let id = vocab[word] { return [id] }
        var symbols = [Int]()
        var previousWasUnk = false
        let scalars = Array(word.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            var piece = String(scalar)
            if i > 0 { piece = prefix + piece }
            if i == scalars.count - 1 { piece += suffix }
            if let id = vocab[piece] {
                symbols.append(id)
                previousWasUnk = false
            } else if byteFallback, let ids = byteIDs(scalar) {
                symbols.append(contentsOf: ids)
                previousWasUnk = false
            } else if let unkID {
                if !(fuseUnk && previousWasUnk) { symbols.append(unkID) }
                previousWasUnk = true
            }
        }
        while symbols.count > 1 {
            var best = -1, bestRank = Int32.max, bestID: Int32 = 0
            for i in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(symbols[i])) << 32 | UInt64(UInt32(symbols[i + 1]))
                if let m = merges[key], m.rank < bestRank {
                    best = i
                    bestRank = m.rank
                    bestID = m.id
                }
            }
            if best < 0 { break }
            symbols[best] = Int(bestID)
            symbols.remove(at: best + 1)
        }
        return symbols
    }

    /// `<0xXX>` tokens of the scalar's UTF-8 bytes, when the vocabulary has them all.
    private func byteIDs(_ scalar: Unicode.Scalar) -> [Int]? {
        var ids = [Int]()
        for byte in String(scalar).utf8 {
            let hex = String(byte, radix: 16, uppercase: true)
            guard let id = vocab["<0x" + (hex.count == 1 ? "0" : "") + hex + ">"] else { return nil }
            ids.append(id)
        }
        return ids
    }
}
