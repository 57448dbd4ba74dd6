import Foundation

/// A tokenizer.json `post_processor` for single sequences: the special ids put before and after the text's ids
/// (RobertaProcessing/BertProcessing: cls … sep; TemplateProcessing's `single`; ByteLevel: none; Sequence).
struct PostProcessor: Equatable, Sendable {
    var prefix: [Int] = []
    var suffix: [Int] = []
    /// The suffix is left out when the ids already end with it (transformers' SentencePiece tokenizers' `</s>`).
    var suffixUnlessPresent = false

    init(prefix: [Int] = [], suffix: [Int] = [], suffixUnlessPresent: Bool = false) {
        self.prefix = prefix
        self.suffix = suffix
        self.suffixUnlessPresent = suffixUnlessPresent
    }

    /// How many ids it adds (truncation leaves room for them).
    var addedCount: Int { prefix.count + suffix.count }

    /// The processor a tokenizer.json section describes (nil section: adds nothing); unknown kinds throw.
    init(json: [String: Any]?, path: String) throws {
        guard let json else { return }
        let type = json["type"] as? String ?? "?"
        func pair(_ key: String) throws -> Int {
            guard let value = json[key] as? [Any], value.count == 2, let id = (value[1] as? NSNumber)?.intValue else {
                throw TokenizerError.tokenizerFile(path: path, reason: "\(type) post-processor has no \(key) token")
            }
            return id
        }
        switch type {
        case "RobertaProcessing", "BertProcessing":
            prefix = [try pair("cls")]
            suffix = [try pair("sep")]
        case "ByteLevel":
            break
        case "Sequence":
            for item in json["processors"] as? [Any] ?? [] {
                let step = try PostProcessor(json: item as? [String: Any], path: path)
                prefix = step.prefix + prefix
                suffix += step.suffix
            }
        case "TemplateProcessing":
            let specials = json["special_tokens"] as? [String: Any] ?? [:]
            var seenSequence = false
            for piece in json["single"] as? [Any] ?? [] {
                let piece = piece as? [String: Any] ?? [:]
                if piece["Sequence"] != nil {
                    seenSequence = true
                } else if let special = piece["SpecialToken"] as? [String: Any], let name = special["id"] as? String {
                    guard let entry = specials[name] as? [String: Any], let ids = entry["ids"] as? [Any] else {
                        throw TokenizerError.tokenizerFile(path: path, reason: "template token '\(name)' has no ids")
                    }
                    let values = ids.compactMap { ($0 as? NSNumber)?.intValue }
                    if seenSequence { suffix += values } else { prefix += values }
                }
            }
        default:
            throw TokenizerError.unsupported(path: path, component: "post-processor '\(type)'")
        }
    }

    func apply(_ ids: [Int]) -> [Int] {
        if suffixUnlessPresent, !suffix.isEmpty, ids.suffix(suffix.count).elementsEqual(suffix) { return prefix + ids }
        return prefix + ids + suffix
    }
}
