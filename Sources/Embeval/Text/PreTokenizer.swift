/// A tokenizer.json `pre_tokenizer`: splits normalised text into the words the model sees, as `tokenizers` does.
/// Sequence; Split (a literal, or a regex `SplitPattern` knows) with any `SplitBehavior`; ByteLevel (GPT-2 regex,
/// byte characters); Whitespace (`\w+|[^\w\s]+`); WhitespaceSplit; BertPreTokenizer; Punctuation; Digits;
/// CharDelimiterSplit; Metaspace (spaces → "▁", the prefix by its scheme, split before each "▁").
indirect enum PreTokenizer: Equatable, Sendable {
    case sequence([PreTokenizer])
    case split(Pattern, behavior: SplitBehavior, invert: Bool)
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case whitespace
    case whitespaceSplit
    case bert
    case punctuation(SplitBehavior)
    case digits(individually: Bool)
    case charDelimiter(Unicode.Scalar)
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme, split: Bool)

    /// What a Split pre-tokenizer matches.
    enum Pattern: Equatable, Sendable {
        case literal([Unicode.Scalar])
        case regex(SplitPattern)
    }

    /// When Metaspace puts its replacement in front of a word: always, only at the very start of the text, never.
    enum PrependScheme: String, Equatable, Sendable {
        case always, first, never
    }

    /// A word on its way through: its characters, and where it starts in the normalised text (Metaspace's `first`
    /// scheme asks whether that is the start of the input).
    struct Word {
        var scalars: [Unicode.Scalar]
        var offset: Int
    }

    /// The pre-tokenizer a tokenizer.json section describes (nil section: none); unknown kinds throw, naming `path`.
    init?(json: [String: Any]?, path: String) throws {
        guard let json else { return nil }
        let type = json["type"] as? String ?? "?"
        func unsupported(_ what: String) -> TokenizerError { .unsupported(path: path, component: "pre-tokenizer \(what)") }
        func behavior(default value: SplitBehavior) throws -> SplitBehavior {
            guard let raw = json["behavior"] as? String else { return value }
            guard let known = SplitBehavior(rawValue: raw) else { throw unsupported("\(type) behavior '\(raw)'") }
            return known
        }
        switch type {
        case "Sequence":
            let items = json["pretokenizers"] as? [Any] ?? []
            self = .sequence(try items.compactMap { try PreTokenizer(json: $0 as? [String: Any], path: path) })
        case "Split":
            let pattern = json["pattern"] as? [String: Any] ?? [:]
            let known: Pattern
            if let literal = pattern["String"] as? String {
                known = .literal(Array(literal.unicodeScalars))
            } else if let regex = pattern["Regex"] as? String, let split = SplitPattern(regex: regex) {
                known = .regex(split)
            } else {
                throw unsupported("Split pattern \(pattern)")
            }
            self = .split(known, behavior: try behavior(default: .removed), invert: json["invert"] as? Bool ?? false)
        case "ByteLevel":
            self = .byteLevel(addPrefixSpace: json["add_prefix_space"] as? Bool ?? true,
                              useRegex: json["use_regex"] as? Bool ?? true)
        case "Whitespace": self = .whitespace
        case "WhitespaceSplit": self = .whitespaceSplit
        case "BertPreTokenizer": self = .bert
        case "Punctuation": self = .punctuation(try behavior(default: .isolated))
        case "Digits": self = .digits(individually: json["individual_digits"] as? Bool ?? false)
        case "CharDelimiterSplit":
            guard let delimiter = (json["delimiter"] as? String)?.unicodeScalars, delimiter.count == 1 else {
                throw unsupported("CharDelimiterSplit delimiter \(json["delimiter"] ?? "none")")
            }
            self = .charDelimiter(delimiter.first!)
        case "Metaspace":
            let replacement = (json["replacement"] as? String ?? "\u{2581}").unicodeScalars
            guard replacement.count == 1, let character = replacement.first else {
                throw unsupported("Metaspace replacement '\(json["replacement"] ?? "")' (one character expected)")
            }
            let scheme: PrependScheme
            if let raw = json["prepend_scheme"] as? String {
                guard let known = PrependScheme(rawValue: raw) else { throw unsupported("Metaspace prepend_scheme '\(raw)'") }
                scheme = known
            } else {
                scheme = .always
            }
            // tokenizers refuses to load a file that turns the prefix off but keeps a scheme that prepends it.
            if json["add_prefix_space"] as? Bool == false && scheme != .never {
                throw TokenizerError.tokenizerFile(path: path, reason: "Metaspace add_prefix_space false contradicts prepend_scheme '\(scheme.rawValue)' (tokenizers refuses it)")
            }
            self = .metaspace(replacement: character, prepend: scheme, split: json["split"] as? Bool ?? true)
        default:
            throw unsupported("'\(type)'")
        }
    }

    /// The words of `text`, in order. `originLength`: how many of its first characters the normaliser made from the
    /// input's first character (0 when the text does not begin the input, e.g. after an added token) — words starting
    /// there begin the input, as `tokenizers`' alignments say.
    func split(_ text: String, originLength: Int = 1) -> [String] {
        guard !text.isEmpty else { return [] }
        let words = apply([Word(scalars: Array(text.unicodeScalars), offset: 0)], originLength: originLength)
        return words.map { ByteLevel.string($0.scalars) }
    }

    /// Splits each word; ByteLevel leaves its words as byte-level characters.
    private func apply(_ words: [Word], originLength: Int) -> [Word] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(words) { $1.apply($0, originLength: originLength) }
        case .split(let pattern, let behavior, let invert):
            return words.flatMap { word in
                let matches: [Range<Int>]
                switch pattern {
                case .literal(let literal): matches = Self.occurrences(of: literal, in: word.scalars)
                case .regex(let regex): matches = regex.matches(in: word.scalars)
                }
                return Self.cut(word, behavior.pieces(count: word.scalars.count, matches: matches, invert: invert))
            }
        case .byteLevel(let addPrefixSpace, let useRegex):
            var out = [Word]()
            for var word in words {
                if addPrefixSpace && word.scalars.first != " " { word.scalars.insert(" ", at: 0) }
                let pieces = useRegex ? SplitPattern.gpt2.matches(in: word.scalars) : [0..<word.scalars.count]
                for range in pieces where !range.isEmpty {
                    out.append(Word(scalars: ByteLevel.encode(word.scalars[range]), offset: word.offset + range.lowerBound))
                }
            }
            return out
        case .whitespace:
            return words.flatMap { Self.cut($0, Self.wordRuns(in: $0.scalars)) }
        case .whitespaceSplit:
            return words.flatMap { Self.split($0, where: TokenizersCharacterClass.isWhitespace, .removed) }
        case .bert:
            return words
                .flatMap { Self.split($0, where: TokenizersCharacterClass.isWhitespace, .removed) }
                .flatMap { Self.split($0, where: TokenizersCharacterClass.isPunctuation, .isolated) }
        case .punctuation(let behavior):
            return words.flatMap { Self.split($0, where: TokenizersCharacterClass.isPunctuation, behavior) }
        case .digits(let individually):
            return words.flatMap { Self.split($0, where: TokenizersCharacterClass.isNumeric, individually ? .isolated : .contiguous) }
        case .charDelimiter(let delimiter):
            return words.flatMap { Self.split($0, where: { $0 == delimiter }, .removed) }
        case .metaspace(let replacement, let prepend, let split):
            return words.flatMap { word -> [Word] in
                guard !word.scalars.isEmpty else { return [] }
                var word = word
                word.scalars = word.scalars.map { $0 == " " ? replacement : $0 }
                let prefixed = switch prepend {
                case .always: true
                case .first: word.offset < originLength
                case .never: false
                }
                if prefixed && word.scalars.first != replacement { word.scalars.insert(replacement, at: 0) }
                guard split else { return [word] }
                return Self.split(word, where: { $0 == replacement }, .mergedWithNext)
            }
        }
    }

    /// The word cut into `ranges`.
    private static func cut(_ word: Word, _ ranges: [Range<Int>]) -> [Word] {
        ranges.map { Word(scalars: Array(word.scalars[$0]), offset: word.offset + $0.lowerBound) }
    }

    /// The word split where single characters pass `test`.
    private static func split(_ word: Word, where test: (Unicode.Scalar) -> Bool, _ behavior: SplitBehavior) -> [Word] {
        guard word.scalars.contains(where: test) else { return word.scalars.isEmpty ? [] : [word] }
        let matches = word.scalars.indices.filter { test(word.scalars[$0]) }.map { $0..<($0 + 1) }
        return cut(word, behavior.pieces(count: word.scalars.count, matches: matches))
    }

    /// Where `literal` occurs in `text`, left to right, not overlapping.
    private static func occurrences(of literal: [Unicode.Scalar], in text: [Unicode.Scalar]) -> [Range<Int>] {
        guard let first = literal.first else { return [] }
        var out = [Range<Int>](), i = 0
        while i + literal.count <= text.count {
            if text[i] == first && text[i..<(i + literal.count)].elementsEqual(literal) {
                out.append(i..<(i + literal.count))
                i += literal.count
            } else {
                i += 1
            }
        }
        return out
    }

    /// The matches of `\w+|[^\w\s]+` (what the Whitespace pre-tokenizer keeps).
    private static func wordRuns(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var out = [Range<Int>](), i = 0
        while i < text.count {
            let isWord = RegexCharacterClass.isWord(text[i])
            guard isWord || !RegexCharacterClass.isWhitespace(text[i]) else { i += 1; continue }
            var j = i + 1
            while j < text.count {
                let next = RegexCharacterClass.isWord(text[j])
                guard next == isWord, isWord || !RegexCharacterClass.isWhitespace(text[j]) else { break }
                j += 1
            }
            out.append(i..<j)
            i = j
        }
        return out
    }
}
