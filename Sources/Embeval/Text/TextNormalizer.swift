import Foundation

/// A tokenizer.json `normalizer`, applied as `tokenizers` does: Sequence, NFC/NFD (`UnicodeNormalization`),
/// NFKC/NFKD (Foundation's), Lowercase (per character, no context rules), Replace (a literal or the `\s+` regex), Strip, StripAccents, Prepend.
indirect enum TextNormalizer: Equatable, Sendable {
    case sequence([TextNormalizer])
    case nfc, nfd, nfkc, nfkd
    case lowercase
    /// `\s+` (Oniguruma's White_Space runs) replaced by `content`.
    case replaceWhitespaceRuns(content: String)
    case replaceLiteral(pattern: String, content: String)
    case strip(left: Bool, right: Bool)
    case stripAccents
    case prepend(String)

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
            if let literal = pattern["String"] as? String {
                self = .replaceLiteral(pattern: literal, content: content)
            } else if let regex = pattern["Regex"] as? String, regex == #"\s+"# {
                self = .replaceWhitespaceRuns(content: content)
            } else {
                throw unsupported("Replace pattern \(pattern)")
            }
        default: throw unsupported("'\(type)'")
        }
    }

    func apply(_ text: String) -> String {
        switch self {
        case .sequence(let steps): return steps.reduce(text) { $1.apply($0) }
        case .nfc: return UnicodeNormalization.nfc(text)
        case .nfd: return UnicodeNormalization.nfd(text)
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        case .lowercase:
            var out = String.UnicodeScalarView()
            for s in text.unicodeScalars {
                if s.value < 0x80 {
                    out.append(s.value >= 0x41 && s.value <= 0x5A ? Unicode.Scalar(s.value + 0x20)! : s)
                } else {
                    out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
                }
            }
            return String(out)
        case .replaceWhitespaceRuns(let content):
            var out = String.UnicodeScalarView(), inRun = false
            for s in text.unicodeScalars {
                if RegexCharacterClass.isWhitespace(s) {
                    if !inRun { out.append(contentsOf: content.unicodeScalars) }
                    inRun = true
                } else {
                    out.append(s)
                    inRun = false
                }
            }
            return String(out)
        case .replaceLiteral(let pattern, let content):
            return pattern.isEmpty ? text : text.replacingOccurrences(of: pattern, with: content, options: .literal)
        case .strip(let left, let right):
            var scalars = Substring.UnicodeScalarView(text.unicodeScalars)
            if left { while let s = scalars.first, s.properties.isWhitespace { scalars.removeFirst() } }
            if right { while let s = scalars.last, s.properties.isWhitespace { scalars.removeLast() } }
            return String(String.UnicodeScalarView(scalars))
        case .stripAccents:
            return String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }))
        case .prepend(let prefix):
            return text.isEmpty ? text : prefix + text
        }
    }
}
