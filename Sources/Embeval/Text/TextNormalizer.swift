import Foundation

/// A tokenizer.json `normalizer`, applied as `tokenizers` does: Sequence, NFC/NFD/NFKC/NFKD (`UnicodeNormalization`),
/// Lowercase (per character, no context rules), Replace (a literal or a one-class regex run), Strip, StripAccents,
/// Prepend, BertNormalizer, Precompiled (a SentencePiece charsmap).
indirect enum TextNormalizer: Sendable {
    case sequence([TextNormalizer])
    case nfc, nfd, nfkc, nfkd
    case lowercase
    case replace(ReplacePattern, content: String)
    case strip(left: Bool, right: Bool)
    case stripAccents
    case prepend(String)
    /// BERT's: drop controls and map whitespace to " " (`cleanText`), space out CJK ideographs, strip accents
    /// (NFD, then nonspacing marks dropped), lower-case — in that order.
    case bert(cleanText: Bool, chineseCharacters: Bool, stripAccents: Bool, lowercase: Bool)
    case precompiled(PrecompiledCharsmap)
    /// Put in front of every text, empty ones included (transformers' SentencePiece tokenizers' "▁"; not a
    /// tokenizer.json component).
    case prefix(String)
    /// transformers' `SiglipTokenizer.canonicalize_text`: lower-cased when asked (Python's `str.lower`), ASCII
    /// punctuation removed, whitespace runs collapsed to one space, stripped (not a tokenizer.json component).
    case canonical(lowercase: Bool)

    /// The normalizer a tokenizer.json section describes (nil section: none); unknown kinds throw, naming `path`.
    init?(json: [String: Any]?, path: String) throws {
        guard let json else { return nil }
        let type = json["type"] as? String ?? "?"
        func unsupported(_ what: String) -> TokenizerError {
            .unsupported(path: path, component: "normalizer \(what)")
        }
        switch type {
        case "Sequence":
            let items = json["normalizers"] as? [Any] ?? []
            self = .sequence(try items.compactMap { try TextNormalizer(json: $0 as? [String: Any], path: path) })
        case "NFC": self = .nfc
        case "NFD": self = .nfd
        case "NFKC": self = .nfkc
        case "NFKD": self = .nfkd
        case "Lowercase": self = .lowercase
        case "StripAccents": self = .stripAccents
        case "Strip":
            self = .strip(left: json["strip_left"] as? Bool ?? true, right: json["strip_right"] as? Bool ?? true)
        case "Prepend": self = .prepend(json["prepend"] as? String ?? "")
        case "Replace":
            let pattern = json["pattern"] as? [String: Any] ?? [:], content = json["content"] as? String ?? ""
            guard let known = ReplacePattern(json: pattern) else { throw unsupported("Replace pattern \(pattern)") }
            self = .replace(known, content: content)
        case "BertNormalizer":
            let lowercase = json["lowercase"] as? Bool ?? true
            self = .bert(cleanText: json["clean_text"] as? Bool ?? true,
                         chineseCharacters: json["handle_chinese_chars"] as? Bool ?? true,
                         stripAccents: json["strip_accents"] as? Bool ?? lowercase, lowercase: lowercase)
        case "Precompiled":
            guard let encoded = json["precompiled_charsmap"] as? String else {
                // tokenizers writes null for an identity charsmap.
                self = .sequence([])
                return
            }
            guard let blob = Data(base64Encoded: encoded), let charsmap = PrecompiledCharsmap([UInt8](blob)) else {
                throw TokenizerError.tokenizerFile(path: path, reason: "the Precompiled normalizer's charsmap is not a valid base64 SentencePiece charsmap")
            }
            self = .precompiled(charsmap)
        default: throw unsupported("'\(type)'")
        }
    }

    func apply(_ text: String) -> String {
        switch self {
        case .sequence(let steps): return steps.reduce(text) { $1.apply($0) }
        case .nfc: return UnicodeNormalization.nfc(text)
        case .nfd: return UnicodeNormalization.nfd(text)
        case .nfkc: return UnicodeNormalization.nfkc(text)
        case .nfkd: return UnicodeNormalization.nfkd(text)
        case .lowercase: return Self.lowercased(text)
        case .replace(let pattern, let content): return pattern.replacingMatches(in: text, with: content)
        case .strip(let left, let right):
            var scalars = Substring.UnicodeScalarView(text.unicodeScalars)
            if left { while let s = scalars.first, s.properties.isWhitespace { scalars.removeFirst() } }
            if right { while let s = scalars.last, s.properties.isWhitespace { scalars.removeLast() } }
            return String(String.UnicodeScalarView(scalars))
        case .stripAccents:
            return String(String.UnicodeScalarView(text.unicodeScalars.filter { !TokenizersCharacterClass.isCombiningMark($0) }))
        case .prepend(let prefix):
            return text.isEmpty ? text : prefix + text
        case .bert(let cleanText, let chineseCharacters, let stripAccents, let lowercase):
            var out = String.UnicodeScalarView()
            for s in text.unicodeScalars {
                if cleanText {
                    if s.value == 0 || s.value == 0xFFFD || TokenizersCharacterClass.isControl(s) { continue }
                    if TokenizersCharacterClass.isWhitespace(s) { out.append(" "); continue }
                }
                if chineseCharacters && TokenizersCharacterClass.isChineseCharacter(s) {
                    out.append(" "); out.append(s); out.append(" ")
                } else {
                    out.append(s)
                }
            }
            var result = String(out)
            if stripAccents {
                result = String(String.UnicodeScalarView(UnicodeNormalization.nfd(result).unicodeScalars.filter {
                    !TokenizersCharacterClass.isNonspacingMark($0)
                }))
            }
            return lowercase ? Self.lowercased(result) : result
        case .precompiled(let charsmap):
            return charsmap.normalizeGraphemes(text)
        case .prefix(let prefix):
            return prefix + text
        case .canonical(let lowercase):
            return String(String.UnicodeScalarView(canonicalized(Array(text.unicodeScalars), lowercase: lowercase)))
        }
    }

    /// Rust's `char::to_lowercase` on every character: full mappings, no context (capital sigma is always σ).
    static func lowercased(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s.value < 0x80 {
                out.append(s.value >= 0x41 && s.value <= 0x5A ? Unicode.Scalar(UInt8(s.value + 0x20)) : s)
            } else {
                out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }
}

/// What a Replace normalizer matches: a literal string, or a regex that is one character class repeated
/// (`\s+`, ` {2,}`, `▁+`, `\d{3}`) — the forms tokenizer.json files use. Other regexes are refused by name.
enum ReplacePattern: Sendable, Equatable {
    case literal(String)
    case run(ScalarClass, minimum: Int, maximum: Int?)

    /// A single-character class of a regex.
    enum ScalarClass: Sendable, Equatable {
        case scalar(Unicode.Scalar)
        case whitespace, digit, word, any

        func contains(_ s: Unicode.Scalar) -> Bool {
            switch self {
            case .scalar(let c): s == c
            case .whitespace: RegexCharacterClass.isWhitespace(s)
            case .digit: s.properties.generalCategory == .decimalNumber && RegexCharacterClass.known(s.properties)
            case .word: RegexCharacterClass.isWord(s)
            case .any: s != "\n"
            }
        }
    }

    init?(json: [String: Any]) {
        if let literal = json["String"] as? String {
            self = .literal(literal)
            return
        }
        guard let regex = json["Regex"] as? String else { return nil }
        var scalars = Array(regex.unicodeScalars)[...]
        guard let first = scalars.popFirst() else { return nil }
        let atom: ScalarClass
        if first == "\\" {
            guard let escaped = scalars.popFirst() else { return nil }
            switch escaped {
            case "s": atom = .whitespace
            case "d": atom = .digit
            case "w": atom = .word
            case _ where !RegexCharacterClass.isLetter(escaped) && !RegexCharacterClass.isNumber(escaped): atom = .scalar(escaped)
            default: return nil
            }
        } else if first == "." {
            atom = .any
        } else if "()[]{}*+?|^$".unicodeScalars.contains(first) {
            return nil
        } else {
            atom = .scalar(first)
        }
        let quantifier = String(String.UnicodeScalarView(scalars))
        switch quantifier {
        case "": self = .run(atom, minimum: 1, maximum: 1)
        case "+": self = .run(atom, minimum: 1, maximum: nil)
        default:
            // {n}, {n,}, {n,m} with n ≥ 1 (an empty match would insert the content between every character).
            guard quantifier.hasPrefix("{"), quantifier.hasSuffix("}") else { return nil }
            let bounds = quantifier.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
            guard let low = bounds.first.flatMap({ Int($0) }), low >= 1, low <= 1_000, bounds.count <= 2 else { return nil }
            if bounds.count == 1 {
                self = .run(atom, minimum: low, maximum: low)
            } else if bounds[1].isEmpty {
                self = .run(atom, minimum: low, maximum: nil)
            } else {
                guard let high = Int(bounds[1]), high >= low else { return nil }
                self = .run(atom, minimum: low, maximum: high)
            }
        }
    }

    /// Every occurrence of `literal`'s scalars (left to right, not overlapping) replaced by `content`; compared
    /// scalar by scalar, as Rust compares bytes, not as Swift compares characters.
    static func replacing(_ literal: [Unicode.Scalar], in text: String, with content: String) -> String {
        guard let first = literal.first, text.unicodeScalars.contains(first) else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if scalars[i] == first, scalars.count - i >= literal.count, scalars[i..<(i + literal.count)].elementsEqual(literal) {
                out.append(contentsOf: content.unicodeScalars)
                i += literal.count
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Every leftmost, greedy, non-overlapping match replaced by `content`.
    func replacingMatches(in text: String, with content: String) -> String {
        switch self {
        case .literal(let literal):
            return Self.replacing(Array(literal.unicodeScalars), in: text, with: content)
        case .run(let atom, let minimum, let maximum):
            let scalars = Array(text.unicodeScalars)
            var out = String.UnicodeScalarView()
            var i = 0
            while i < scalars.count {
                var j = i
                while j < scalars.count, atom.contains(scalars[j]), maximum.map({ j - i < $0 }) ?? true { j += 1 }
                if j - i >= minimum {
                    out.append(contentsOf: content.unicodeScalars)
                    i = j
                } else {
                    out.append(scalars[i])
                    i += 1
                }
            }
            return String(out)
        }
    }
}

/// `SiglipTokenizer.canonicalize_text`: lower-case (optional), drop ASCII punctuation, collapse whitespace, strip.
func canonicalized(_ text: [Unicode.Scalar], lowercase: Bool) -> [Unicode.Scalar] {
    let lowered = lowercase ? pythonLowercased(text) : text
    var out = [Unicode.Scalar]()
    out.reserveCapacity(lowered.count)
    var pendingSpace = false
    for scalar in lowered where !scalar.isASCIIPunctuation {
        if scalar.isPythonSpace {
            pendingSpace = true
            continue
        }
        if pendingSpace && !out.isEmpty { out.append(" ") }
        pendingSpace = false
        out.append(scalar)
    }
    return out
}
