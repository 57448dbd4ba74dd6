/// SentencePiece's compiled normalisation rules, the `precompiled_charsmap` of a `.model` file's NormalizerSpec and
/// of tokenizer.json's `Precompiled` normalizer: `<trie size: UInt32 LE><double-array trie (UInt32 LE units)>
/// <NUL-terminated UTF-8 replacements>`; the trie maps UTF-8 byte strings to offsets of their replacements.
struct PrecompiledCharsmap: Sendable {
    let trie: DoubleArrayTrie
    let replacements: [UInt8]

    /// Splits a charsmap blob; nil when it is too short or its trie size overruns it.
    init?(_ blob: [UInt8]) {
        guard blob.count > 4 else { return nil }
        let size = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard size <= blob.count - 4, size % 4 == 0 else { return nil }
        var units = [UInt32](repeating: 0, count: size / 4)
        for i in 0..<units.count {
            let o = 4 + 4 * i
            units[i] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        trie = DoubleArrayTrie(units: units)
        replacements = Array(blob[(4 + size)...])
    }

    /// The replacement starting at `offset`: up to its NUL (an offset past the end is empty).
    func replacementRange(at offset: Int) -> Range<Int> {
        let begin = min(offset, replacements.count)
        var end = begin
        while end < replacements.count && replacements[end] != 0 { end += 1 }
        return begin..<end
    }

    /// `tokenizers`' Precompiled normalizer: each grapheme cluster shorter than 6 UTF-8 bytes is replaced whole by
    /// the rule of its shortest matching prefix, if any; otherwise each of its characters is replaced by its rule or
    /// kept. (The shortest-prefix rule is sentencepiece's quirk that `tokenizers` keeps on purpose.)
    func normalizeGraphemes(_ text: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for grapheme in text {
            let bytes = grapheme.utf8
            if bytes.count < 6, let offset = trie.firstPrefix(bytes) {
                out += replacements[replacementRange(at: offset)]
                continue
            }
            for scalar in grapheme.unicodeScalars {
                let utf8 = String(scalar).utf8
                if let offset = trie.firstPrefix(utf8) { out += replacements[replacementRange(at: offset)] } else { out += utf8 }
            }
        }
        return String(decoding: out, as: UTF8.self)
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

    /// The value of the shortest key that is a prefix of `key` (stopping at a NUL byte), as `tokenizers`'
    /// Precompiled normalizer looks a chunk up.
    func firstPrefix(_ key: some Sequence<UInt8>) -> Int? {
        guard !units.isEmpty else { return nil }
        var node = Int(Self.offset(units[0]))
        for byte in key {
            guard byte != 0 else { return nil }
            node ^= Int(byte)
            guard node < units.count else { return nil }
            let unit = units[node]
            guard unit & 0x8000_00FF == UInt32(byte) else { return nil }
            node ^= Int(Self.offset(unit))
            if unit & 0x100 != 0 {
                guard node < units.count else { return nil }
                return Int(units[node] & 0x7FFF_FFFF)
            }
        }
        return nil
    }

    @inline(__always)
    private static func offset(_ unit: UInt32) -> UInt32 { (unit >> 10) << ((unit & (1 << 9)) >> 6) }
}
