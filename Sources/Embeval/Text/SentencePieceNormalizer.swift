/// SentencePiece's text normaliser, as `normalizer.cc` applies a model's `NormalizerSpec`.
///
/// At each position the longest key of the precompiled charsmap (`PrecompiledCharsmap`) is replaced; without a match one UTF-8 character is copied. Around that: leading spaces are dropped,
/// runs of spaces collapse to one and trailing spaces go (`remove_extra_whitespaces`), "▁" is put in front
/// (`add_dummy_prefix`), and spaces become "▁" (`escape_whitespaces`).
struct SentencePieceNormalizer: Sendable {
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    let escapeWhitespaces: Bool
    let treatWhitespaceAsSuffix: Bool
    private let charsmap: PrecompiledCharsmap?
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
        if spec.precompiledCharsmap.isEmpty {
            charsmap = nil
        } else {
            guard let charsmap = PrecompiledCharsmap(spec.precompiledCharsmap) else {
                throw ProtobufReader.Failure(description: "precompiled charsmap is broken")
            }
            self.charsmap = charsmap
        }
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
    private func bytes(_ prefix: Prefix, _ input: [UInt8]) -> [UInt8] { prefix.fromBlob ? charsmap?.replacements ?? [] : input }

    /// The replacement for the text starting at `start` and how many input bytes it consumes.
    private func normalizePrefix(_ input: [UInt8], at start: Int) -> Prefix {
        var longestUser = 0
        for symbol in userDefined where symbol.count > longestUser && start + symbol.count <= input.count {
            if input[start..<(start + symbol.count)].elementsEqual(symbol) { longestUser = symbol.count }
        }
        if longestUser > 0 { return Prefix(fromBlob: false, replacement: start..<(start + longestUser), consumed: longestUser) }

        if let charsmap, let (value, length) = charsmap.trie.longestPrefix(input, from: start) {
            return Prefix(fromBlob: true, replacement: charsmap.replacementRange(at: value), consumed: length)
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
