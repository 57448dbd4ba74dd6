/// The pre-tokenizer regexes tokenizers use, matched by hand (leftmost-first, as Oniguruma does) so the Unicode
/// classes are exactly `tokenizers`' (see `RegexCharacterClass`): CLIP's Split pattern and GPT-2's ByteLevel pattern.
enum SplitPattern: Equatable, Sendable {
    /// `<literal>|…|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+` (the literals: CLIP's special tokens).
    case clip(literals: [[Unicode.Scalar]])
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (ByteLevel with use_regex).
    case gpt2

    static let clipTail = #"'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"#

    /// The pattern for a tokenizer.json regex, or nil when it is not one we know.
    init?(regex: String) {
        guard regex.hasSuffix(Self.clipTail) else { return nil }
        let head = regex.dropLast(Self.clipTail.count)
        var literals = [[Unicode.Scalar]]()
        if !head.isEmpty {
            // Literal alternatives, each ended by an unescaped `|`; metacharacters must be escaped with `\`.
            var literal = [Unicode.Scalar](), escaped = false
            for s in head.unicodeScalars {
                if escaped {
                    guard !RegexCharacterClass.isLetter(s) && !RegexCharacterClass.isNumber(s) else { return nil }  // \p, \s, \1…
                    literal.append(s)
                    escaped = false
                } else if s == "\\" {
                    escaped = true
                } else if s == "|" {
                    guard !literal.isEmpty else { return nil }
                    literals.append(literal)
                    literal = []
                } else if "()[]{}.*+?^$".unicodeScalars.contains(s) {
                    return nil
                } else {
                    literal.append(s)
                }
            }
            guard !escaped, literal.isEmpty else { return nil }
        }
        self = .clip(literals: literals)
    }

    /// The successive non-overlapping matches in `text`, left to right.
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var out = [Range<Int>](), i = 0
        while i < text.count {
            if let end = match(text, at: i) {
                out.append(i..<end)
                i = end
            } else {
                i += 1
            }
        }
        return out
    }

    /// The end of the match starting at `i`, trying the alternatives in order; nil when none matches there.
    private func match(_ t: [Unicode.Scalar], at i: Int) -> Int? {
        switch self {
        case .clip(let literals):
            for literal in literals where t[i] == literal[0] && t.count - i >= literal.count {
                if t[i..<(i + literal.count)].elementsEqual(literal) { return i + literal.count }
            }
            if let end = Self.contraction(t, at: i) { return end }
            let c = t[i]
            if RegexCharacterClass.isLetter(c) { return Self.run(t, from: i, while: RegexCharacterClass.isLetter) }
            if RegexCharacterClass.isNumber(c) { return i + 1 }
            if Self.isOther(c) { return Self.run(t, from: i, while: Self.isOther) }
            return nil
        case .gpt2:
            if let end = Self.contraction(t, at: i) { return end }
            let start = t[i] == " " && i + 1 < t.count ? i + 1 : i
            let c = t[start]
            if RegexCharacterClass.isLetter(c) { return Self.run(t, from: start, while: RegexCharacterClass.isLetter) }
            if RegexCharacterClass.isNumber(c) { return Self.run(t, from: start, while: RegexCharacterClass.isNumber) }
            if Self.isOther(c) { return Self.run(t, from: start, while: Self.isOther) }
            guard RegexCharacterClass.isWhitespace(t[i]) else { return nil }
            let end = Self.run(t, from: i, while: RegexCharacterClass.isWhitespace)
            // `\s+(?!\S)` gives back the last whitespace when a non-space follows; `\s+` takes a lone one.
            return end == t.count || end - i == 1 ? end : end - 1
        }
    }

    private static func isOther(_ s: Unicode.Scalar) -> Bool {
        !RegexCharacterClass.isWhitespace(s) && !RegexCharacterClass.isLetter(s) && !RegexCharacterClass.isNumber(s)
    }

    private static func run(_ t: [Unicode.Scalar], from i: Int, while test: (Unicode.Scalar) -> Bool) -> Int {
        var j = i
        while j < t.count && test(t[j]) { j += 1 }
        return j
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` (case-sensitive).
    private static func contraction(_ t: [Unicode.Scalar], at i: Int) -> Int? {
        guard t[i] == "'", i + 1 < t.count else { return nil }
        switch t[i + 1] {
        case "s", "t", "m", "d": return i + 2
        case "r", "v": return i + 2 < t.count && t[i + 2] == "e" ? i + 3 : nil
        case "l": return i + 2 < t.count && t[i + 2] == "l" ? i + 3 : nil
        default: return nil
        }
    }
}
