/// The unigram language model's segmentation: the path through the lattice of vocabulary pieces with the highest
/// total score, as sentencepiece and `tokenizers` both search it (one best path per end position, replaced only by a
/// strictly better score; a character no piece covers on its own is the unknown piece, scored `unknownScore`).
enum UnigramLattice {
    /// The pieces of UTF-8 `text` on the best path, as (byte range, id). `score(id, byteLength)` gives a piece's
    /// score, or nil for a piece that may not be used. Scores add in `Score` (sentencepiece: Float; tokenizers: Double).
    static func bestPath<Score: BinaryFloatingPoint>(_ text: [UInt8], trie: ByteTrie, unknownID: Int, unknownScore: Score,
                                                     score: (Int, Int) -> Score?) -> [(Range<Int>, Int)] {
        let size = text.count
        guard size > 0 else { return [] }
        var bestScore = [Score](repeating: 0, count: size + 1)
        var startsAt = [Int](repeating: -1, count: size + 1)
        var bestID = [Int](repeating: -1, count: size + 1)
        func offer(_ id: Int, from start: Int, to end: Int, _ candidate: Score) {
            if startsAt[end] == -1 || candidate > bestScore[end] {
                bestScore[end] = candidate
                startsAt[end] = start
                bestID[end] = id
            }
        }
        var start = 0
        while start < size {
            let tillHere = bestScore[start]
            let charLength = min(utf8Length(leadByte: text[start]), size - start)
            var hasSingleCharacter = false
            var node: Int32 = 0
            var end = start
            while end < size {
                guard let next = trie.child(of: node, byte: text[end]) else { break }
                node = next
                end += 1
                let id = trie.value(of: node)
                guard id >= 0, let pieceScore = score(id, end - start) else { continue }
                offer(id, from: start, to: end, pieceScore + tillHere)
                if end - start == charLength { hasSingleCharacter = true }
            }
            if !hasSingleCharacter { offer(unknownID, from: start, to: start + charLength, unknownScore + tillHere) }
            start += charLength
        }
        var result = [(Range<Int>, Int)]()
        var end = size
        while end > 0 {
            let begin = startsAt[end]
            result.append((begin..<end, bestID[end]))
            end = begin
        }
        return result.reversed()
    }
}

/// A byte trie over vocabulary pieces: one hash lookup per byte step. The first id inserted for a key is kept.
struct ByteTrie: Sendable {
    private var children: [Int: Int32] = [:]
    private var values: [Int32] = [-1]

    mutating func insert(_ key: [UInt8], id: Int) {
        var node: Int32 = 0
        for byte in key {
            let k = Int(node) << 8 | Int(byte)
            if let next = children[k] {
                node = next
            } else {
                let next = Int32(values.count)
                values.append(-1)
                children[k] = next
                node = next
            }
        }
        if values[Int(node)] < 0 { values[Int(node)] = Int32(truncatingIfNeeded: id) }
    }

    @inline(__always)
    func child(of node: Int32, byte: UInt8) -> Int32? { children[Int(node) << 8 | Int(byte)] }

    /// The id stored at a node, or -1.
    @inline(__always)
    func value(of node: Int32) -> Int { Int(values[Int(node)]) }
}
