/// SentencePiece's text normaliser, as `normalizer.cc` applies a model's `NormalizerSpec`.
///
/// The precompiled charsmap is `<trie size: UInt32 LE><double-array trie (UInt32 LE units)><replacement strings>`:
/// the trie maps UTF-8 byte sequences to offsets of NUL-terminated replacements. At each position the longest
/// matching key is replaced; without a match one UTF-8 character is copied. Around that: leading spaces are dropped,
/// runs of spaces collapse to one and trailing spaces go (`remove_extra_whitespaces`), "▁" is put in front
/// (`add_dummy_prefix`), and spaces become "▁" (`escape_whitespaces`).
struct SentencePieceNormalizer: Sendable {
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    let escapeWhitespaces: Bool
    let treatWhitespaceAsSuffix: Bool
    private let trie: DoubleArrayTrie?
    private let replacements: [UInt8]
    /// USER_DEFINED pieces: copied through unnormalised where they start (sentencepiece's prefix matcher).
    private let userDefined: [[UInt8]]

    static let spaceSymbol: [UInt8] = Array("\u{2581}".utf8)

    /// Builds the normaliser; a malformed charsmap throws a reason (the caller names the file).
    init(spec: SentencePieceModel.NormalizerSpec, treatWhitespaceAsSuffix: Bool, userDefined: [String]) throws {
        addDummyPrefix = spec.addDummyPrefix
        removeExtraWhitespaces = spec.removeExtraWhitespaces
        escapeWhitespaces = spec.escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        self.userDefined = userDefined.map { Array($0.utf8) }.filter { !$0.isEmpty }
        let blob = spec.precompiledCharsmap
        if blob.isEmpty {
            trie = nil
            replacements = []
            return
        }
        guard blob.count > 4 else { throw ProtobufReader.Failure(description: "precompiled charsmap is broken") }
        let size = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard size < blob.count else {
            throw ProtobufReader.Failure(description: "precompiled charsmap trie size \(size) exceeds the blob")
        }
        var units = [UInt32](repeating: 0, count: size / 4)
        for i in 0..<units.count {
            let o = 4 + 4 * i
            units[i] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        trie = DoubleArrayTrie(units: units)
        replacements = Array(blob[(4 + size)...])
    }

    /// The normalised UTF-8 bytes of `text`.
    func normalize(_ text: String) -> [UInt8] {
        let input = Array(text.utf8)
        var output = [UInt8]()
        output.reserveCapacity(input.count * 3)
        guard !input.isEmpty else { return output }
        var position = 0

        if removeExtraWhitespaces {
            while position < input.count {
                let prefix = normalizePrefix(input, at: position)
                guard prefix.replacement.count == 1, bytes(prefix, input)[prefix.replacement.lowerBound] == 0x20
                else { break }
                position += prefix.consumed
            }
        }
        guard position < input.count else { return output }

        func addSpace() {
            if escapeWhitespaces { output += Self.spaceSymbol } else { output.append(0x20) }
        }
        if !treatWhitespaceAsSuffix && addDummyPrefix { addSpace() }

        var previousIsSpace = removeExtraWhitespaces
        while position < input.count {
            let prefix = normalizePrefix(input, at: position)
            let source = bytes(prefix, input)
            var range = prefix.replacement
            while previousIsSpace, !range.isEmpty, source[range.lowerBound] == 0x20 { range = range.dropFirst() }
            if !range.isEmpty {
                for i in range {
                    let byte = source[i]
                    if escapeWhitespaces && byte == 0x20 { output += Self.spaceSymbol } else { output.append(byte) }
                }
                previousIsSpace = source[range.upperBound - 1] == 0x20
            }
            position += prefix.consumed
            if !removeExtraWhitespaces { previousIsSpace = false }
        }

        if removeExtraWhitespaces {
            let space = escapeWhitespaces ? Self.spaceSymbol : [0x20]
            while output.count >= space.count, output[(output.count - space.count)...].elementsEqual(space) {
                output.removeLast(space.count)
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { addSpace() }
        return output
    }

    /// Where a prefix's replacement lies: a range of the input (copied as is) or of the replacement blob.
    private struct Prefix {
        var fromBlob: Bool
        var replacement: Range<Int>
        var consumed: Int
    }

    @inline(__always)
    private func bytes(_ prefix: Prefix, _ input: [UInt8]) -> [UInt8] { prefix.fromBlob ? replacements : input }

    /// The replacement for the text starting at `start` and how many input bytes it consumes.
    private func normalizePrefix(_ input: [UInt8], at start: Int) -> Prefix {
        var longestUser = 0
        for symbol in userDefined where symbol.count > longestUser && start + symbol.count <= input.count {
            if input[start..<(start + symbol.count)].elementsEqual(symbol) { longestUser = symbol.count }
        }
        if longestUser > 0 { return Prefix(fromBlob: false, replacement: start..<(start + longestUser), consumed: longestUser) }

        if let trie, let (value, length) = trie.longestPrefix(input, from: start) {
            let begin = min(value, replacements.count)
            var end = begin
            while end < replacements.count && replacements[end] != 0 { end += 1 }
            return Prefix(fromBlob: true, replacement: begin..<end, consumed: length)
        }
        let length = min(utf8Length(leadByte: input[start]), input.count - start)
        return Prefix(fromBlob: false, replacement: start..<(start + length), consumed: length)
    }
}

/// Bytes of the UTF-8 character a lead byte starts, as sentencepiece's `OneCharLen` counts them.
@inline(__always)
func utf8Length(leadByte: UInt8) -> Int {
    switch leadByte >> 4 {
    case 0..<12: 1
    case 12, 13: 2
    case 14: 3
    default: 4
    }
}

/// A read-only Darts-clone double-array trie (the layout inside SentencePiece's precompiled charsmaps).
///
/// A unit packs: bit 8 = has a leaf child, bits 0–7 (+ bit 31) = label, bits 10–31 = offset to the children
/// (shifted left by 8 when bit 9 is set); a leaf unit holds its value in bits 0–30.
struct DoubleArrayTrie: Sendable {
    let units: [UInt32]

    /// The value and byte length of the longest key that is a prefix of `key[from...]`.
    func longestPrefix(_ key: [UInt8], from start: Int) -> (value: Int, length: Int)? {
        guard !units.isEmpty else { return nil }
        var best: (Int, Int)?
        var node = Int(Self.offset(units[0]))
        var i = start
        while i < key.count {
            let byte = key[i]
            node ^= Int(byte)
            guard node < units.count else { break }
            let unit = units[node]
            guard unit & 0x8000_00FF == UInt32(byte) else { break }
            node ^= Int(Self.offset(unit))
            if unit & 0x100 != 0 {
                guard node < units.count else { break }
                best = (Int(units[node] & 0x7FFF_FFFF), i + 1 - start)
            }
            i += 1
        }
        return best
    }

    @inline(__always)
    private static func offset(_ unit: UInt32) -> UInt32 { (unit >> 10) << ((unit & (1 << 9)) >> 6) }
}
