/// Finds `added_tokens` in a text as `tokenizers` does before (or, for `normalized` ones, right after)
/// normalisation: leftmost-longest non-overlapping matches, `single_word` discards matches inside a word,
/// `lstrip`/`rstrip` swallow the whitespace beside a match.
struct AddedTokenSplitter: Sendable {
    /// A stretch of text: either an added token's id or text for the model.
    enum Segment: Equatable {
        case token(AddedToken)
        case text(String)
    }

    private struct Pattern: Sendable {
        var scalars: [Unicode.Scalar]
        var token: AddedToken
    }

    private let patterns: [Pattern]
    private let firstScalars: Set<Unicode.Scalar>

    /// Matches the given tokens' contents (already normalised by the caller for the normalised set).
    /// What `lstrip`/`rstrip` swallow: `\s` as `tokenizers` matches it (transformers' SentencePiece tokenizers:
    /// Python's `str.isspace`).
    private let isSpace: @Sendable (Unicode.Scalar) -> Bool

    init(tokens: [AddedToken], isSpace: @escaping @Sendable (Unicode.Scalar) -> Bool = RegexCharacterClass.isWhitespace,
         contents: (AddedToken) -> String = { $0.content }) {
        self.isSpace = isSpace
        patterns = tokens.compactMap { token in
            let scalars = Array(contents(token).unicodeScalars)
            return scalars.isEmpty ? nil : Pattern(scalars: scalars, token: token)
        }
        firstScalars = Set(patterns.map { $0.scalars[0] })
    }

    var isEmpty: Bool { patterns.isEmpty }

    /// `text` cut into added tokens and the text between them (empty text stretches dropped).
    func split(_ text: String) -> [Segment] {
        guard text.unicodeScalars.contains(where: firstScalars.contains) else { return text.isEmpty ? [] : [.text(text)] }
        let t = Array(text.unicodeScalars)
        var segments = [Segment](), consumed = 0, i = 0
        func emitText(_ range: Range<Int>) {
            if !range.isEmpty { segments.append(.text(String(String.UnicodeScalarView(t[range])))) }
        }
        while i < t.count {
            // The longest pattern starting here (leftmost-longest).
            var best: Pattern?
            for p in patterns where p.scalars.count <= t.count - i && (best == nil || p.scalars.count > best!.scalars.count) {
                if p.scalars[0] == t[i] && t[i..<(i + p.scalars.count)].elementsEqual(p.scalars) { best = p }
            }
            guard let match = best else { i += 1; continue }
            var start = i, stop = i + match.scalars.count
            i = stop
            if match.token.singleWord
                && ((start > 0 && RegexCharacterClass.isWord(t[start - 1])) || (stop < t.count && RegexCharacterClass.isWord(t[stop]))) {
                continue
            }
            if match.token.lstrip {
                while start > consumed && isSpace(t[start - 1]) { start -= 1 }
            }
            if match.token.rstrip {
                while stop < t.count && isSpace(t[stop]) { stop += 1 }
                i = stop
            }
            emitText(consumed..<start)
            segments.append(.token(match.token))
            consumed = stop
        }
        emitText(consumed..<t.count)
        return segments
    }
}
