/// A tokenizer.json `pre_tokenizer`: splits normalised text into the words the model sees. Sequence, Split (with a
/// pattern `SplitPattern` knows, Removed/Isolated, inverted or not) and ByteLevel (GPT-2 regex, byte characters).
indirect enum PreTokenizer: Equatable, Sendable {
    case sequence([PreTokenizer])
    case split(SplitPattern, invert: Bool, removeDelimiters: Bool)
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)

    /// The pre-tokenizer a tokenizer.json section describes (nil section: none); unknown kinds throw, naming `path`.
    init?(json: [String: Any]?, path: String) throws {
        guard let json else { return nil }
        let type = json["type"] as? String ?? "?"
        switch type {
        case "Sequence":
            let items = json["pretokenizers"] as? [Any] ?? []
            self = .sequence(try items.compactMap { try PreTokenizer(json: $0 as? [String: Any], path: path) })
        case "Split":
            let pattern = json["pattern"] as? [String: Any] ?? [:]
            guard let regex = pattern["Regex"] as? String, let known = SplitPattern(regex: regex) else {
                throw TokenizerError.unsupported(path: path, component: "Split pattern \(pattern)")
            }
            let behavior = json["behavior"] as? String ?? "Removed"
            guard behavior == "Removed" || behavior == "Isolated" else {
                throw TokenizerError.unsupported(path: path, component: "Split behavior '\(behavior)'")
            }
            self = .split(known, invert: json["invert"] as? Bool ?? false, removeDelimiters: behavior == "Removed")
        case "ByteLevel":
            self = .byteLevel(addPrefixSpace: json["add_prefix_space"] as? Bool ?? true,
                              useRegex: json["use_regex"] as? Bool ?? true)
        default:
            throw TokenizerError.unsupported(path: path, component: "pre-tokenizer '\(type)'")
        }
    }

    /// Whether the words come out as byte-level characters (then the model's vocabulary is byte-level too).
    var isByteLevel: Bool {
        switch self {
        case .sequence(let steps): return steps.contains { $0.isByteLevel }
        case .split: return false
        case .byteLevel: return true
        }
    }

    /// The words of `text`, in order.
    func split(_ text: String) -> [String] {
        let pieces = apply([Array(text.unicodeScalars)])
        return isByteLevel ? pieces.map(ByteLevel.string) : pieces.map { String(String.UnicodeScalarView($0)) }
    }

    /// Splits the pieces; ByteLevel leaves its words as byte-level characters.
    private func apply(_ pieces: [[Unicode.Scalar]]) -> [[Unicode.Scalar]] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(pieces) { $1.apply($0) }
        case .split(let pattern, let invert, let removeDelimiters):
            var out = [[Unicode.Scalar]]()
            for scalars in pieces {
                var last = 0
                func emit(_ range: Range<Int>, delimiter: Bool) {
                    guard !range.isEmpty, !(delimiter && removeDelimiters) else { return }
                    out.append(Array(scalars[range]))
                }
                for match in pattern.matches(in: scalars) {
                    emit(last..<match.lowerBound, delimiter: invert)
                    emit(match, delimiter: !invert)
                    last = match.upperBound
                }
                emit(last..<scalars.count, delimiter: invert)
            }
            return out
        case .byteLevel(let addPrefixSpace, let useRegex):
            var out = [[Unicode.Scalar]]()
            for var scalars in pieces {
                if addPrefixSpace && scalars.first != " " { scalars.insert(" ", at: 0) }
                let words = useRegex ? SplitPattern.gpt2.matches(in: scalars) : [0..<scalars.count]
                for range in words where !range.isEmpty { out.append(ByteLevel.encode(scalars[range])) }
            }
            return out
        }
    }
}
