import Foundation

/// Byte-pair encoding as `tokenizers`' BPE model does it: a word's characters (the last one with
/// `end_of_word_suffix`, the others after the first with `continuing_subword_prefix`) become vocabulary ids, then
/// the adjacent pair of lowest merge rank (leftmost on ties) is merged until no pair has a rank. Words are cached.
final class BPEModel: @unchecked Sendable {
    /// Token (UTF-8 bytes) → id: compared exactly, as Rust compares strings, not up to canonical equivalence as
    /// Swift's `String ==` does ("é" and "e\u{301}" are different tokens).
    let vocab: [[UInt8]: Int]
    /// (left id << 32 | right id) → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    let unkID: Int?
    let fuseUnk: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    let prefix: String
    let suffix: String
    private let lock = NSLock()
    /// Word (UTF-8 bytes, so canonically equivalent spellings stay apart) → ids.
    private var cache = [[UInt8]: [Int]]()
    private static let cacheCapacity = 10_000

    init(json: TokenizerJSON) throws {
        var vocab = [[UInt8]: Int](minimumCapacity: json.vocab.count)
        for (token, id) in json.vocab { vocab[Array(token.utf8)] = id }
        self.vocab = vocab
        prefix = json.modelString("continuing_subword_prefix") ?? ""
        suffix = json.modelString("end_of_word_suffix") ?? ""
        var merges = [UInt64: (rank: Int32, id: Int32)](minimumCapacity: json.merges.count)
        for (rank, (a, b)) in json.merges.enumerated() {
            // The prefix comes off by bytes, as in Rust (a Character-wise strip would miss "##" + a combining mark).
            let bBytes = Array(b.utf8), prefixBytes = Array(prefix.utf8)
            let tail = bBytes.starts(with: prefixBytes) ? Array(bBytes.dropFirst(prefixBytes.count)) : bBytes
            let joined = a + String(decoding: tail, as: UTF8.self)
            guard let left = vocab[Array(a.utf8)], let right = vocab[Array(b.utf8)], let id = vocab[Array(joined.utf8)] else {
                throw TokenizerError.tokenizerFile(path: json.path, reason: "merge \(rank) '\(a) \(b)' uses a token not in the vocabulary")
            }
            let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
            merges[key] = (Int32(rank), Int32(id))  // a repeated pair takes its last rank, as tokenizers' map does
        }
        self.merges = merges
        if let unk = json.modelString("unk_token") {
            guard let id = vocab[Array(unk.utf8)] else {
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
    func id(of token: String) -> Int? { vocab[Array(token.utf8)] }

    var vocabularySize: Int { vocab.count }

    /// The ids of one pre-tokenised word.
    func tokenize(_ word: String) -> [Int] {
        lock.lock()
        let key = Array(word.utf8)
        let hit = cache[key]
        lock.unlock()
        if let hit { return hit }
        let ids = merge(word)
        lock.lock()
        if cache.count < Self.cacheCapacity { cache[key] = ids }
        lock.unlock()
        return ids
    }

    private func merge(_ word: String) -> [Int] {
        if ignoreMerges, let id = vocab[Array(word.utf8)] { return [id] }
        var symbols = [Int]()
        var previousWasUnk = false
        let scalars = Array(word.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            var piece = String(scalar)
            if i > 0 { piece = prefix + piece }
            if i == scalars.count - 1 { piece += suffix }
            if let id = vocab[Array(piece.utf8)] {
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
        return Self.applyMerges(symbols, merges)
    }

    /// Merges adjacent pairs, lowest rank first and leftmost among equals, until no pair has a rank — in
    /// O(n log n): candidate pairs wait in a min-heap keyed by (rank, position) over a linked list of symbols, and a
    /// candidate whose symbols have changed since it was queued is dropped when it surfaces (as `tokenizers` does).
    /// A 120,000-character word takes milliseconds, not the minute a rescan after every merge takes.
    static func applyMerges(_ symbols: [Int], _ merges: [UInt64: (rank: Int32, id: Int32)]) -> [Int] {
        guard symbols.count > 1 else { return symbols }
        var ids = symbols
        var next = Array(1...symbols.count), previous = Array(-1..<(symbols.count - 1))
        next[symbols.count - 1] = -1
        var alive = [Bool](repeating: true, count: symbols.count)
        var queue = MergeQueue()
        func rank(_ i: Int) -> (rank: Int32, id: Int32)? {
            let j = next[i]
            guard j >= 0 else { return nil }
            return merges[UInt64(UInt32(truncatingIfNeeded: ids[i])) << 32 | UInt64(UInt32(truncatingIfNeeded: ids[j]))]
        }
        for i in 0..<(symbols.count - 1) {
            if let m = rank(i) { queue.push(MergeQueue.Entry(rank: m.rank, position: i, id: m.id)) }
        }
        while let candidate = queue.pop() {
            let i = candidate.position
            // Stale: the left symbol was merged away, or the pair now holds other symbols.
            guard alive[i], let m = rank(i), m.rank == candidate.rank, m.id == candidate.id else { continue }
            let j = next[i]
            ids[i] = Int(m.id)
            alive[j] = false
            next[i] = next[j]
            if next[j] >= 0 { previous[next[j]] = i }
            if previous[i] >= 0, let left = rank(previous[i]) {
                queue.push(MergeQueue.Entry(rank: left.rank, position: previous[i], id: left.id))
            }
            if let right = rank(i) { queue.push(MergeQueue.Entry(rank: right.rank, position: i, id: right.id)) }
        }
        var out = [Int](), i = 0
        while i >= 0 { out.append(ids[i]); i = next[i] }
        return out
    }

    /// `<0xXX>` tokens of the scalar's UTF-8 bytes, when the vocabulary has them all.
    private func byteIDs(_ scalar: Unicode.Scalar) -> [Int]? {
        ByteToken.ids(String(scalar).utf8, in: { vocab[$0] })
    }
}

/// A binary min-heap of merge candidates ordered by rank, then position (the leftmost first).
struct MergeQueue {
    struct Entry {
        var rank: Int32
        var position: Int
        var id: Int32
        func precedes(_ other: Entry) -> Bool { rank != other.rank ? rank < other.rank : position < other.position }
    }

    private var heap = [Entry]()

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var first = parent
                if left < heap.count && heap[left].precedes(heap[first]) { first = left }
                if right < heap.count && heap[right].precedes(heap[first]) { first = right }
                if first == parent { break }
                heap.swapAt(parent, first)
                parent = first
            }
        }
        return top
    }
}
