/// Text → token ids exactly as the model's own Hugging Face tokenizer makes them.
///
/// `encode` gives one text's ids with the model's special tokens, truncated to `maxLength`, unpadded;
/// `batch` pads a list of them the way the model expects (to a fixed length for SigLIP, to the longest for CLIP).
public protocol TextTokenizer: Sendable {
    /// Ids of one text: normalised, pre-tokenised, the model's subword algorithm, special tokens, truncation.
    func encode(_ text: String) -> [Int]
    /// The longest sequence the text tower takes (CLIP: 77, SigLIP: 64).
    var maxLength: Int { get }
    /// The id padding positions get.
    var padID: Int { get }
    /// Pad every text to this many tokens (SigLIP: 64, as the HF zero-shot pipeline does), or to the longest of
    /// the batch when nil.
    var fixedLength: Int? { get }
    /// Padding goes before the text's tokens (`padding_side: left`), not after.
    var padsLeft: Bool { get }
    /// What the user should know about the tokenizer as read (e.g. a BPE vocabulary without merges).
    var warnings: [String] { get }
    /// What kind of tokenizer it is, for `inspect` ("tokenizer.json WordPiece").
    var summary: String { get }
}

/// Ids and attention masks of several texts, padded to one length.
public struct TokenBatch: Equatable, Sendable {
    public var ids: [[Int]]
    public var attentionMask: [[Int]]
    public var length: Int { ids.first?.count ?? 0 }
}

extension TextTokenizer {
    public var warnings: [String] { [] }
    public var padsLeft: Bool { false }
    public var summary: String { String(describing: type(of: self)) }

    /// Encodes and pads `texts` as the model expects; the mask is 1 on real tokens, 0 on padding.
    public func batch(_ texts: [String]) -> TokenBatch {
        let encoded = texts.map(encode)
        return pad(encoded, to: fixedLength ?? encoded.map(\.count).max() ?? 0)
    }

    /// Encoded texts padded with the pad id to `length` tokens each, on the model's side (a row already as long or
    /// longer is kept as it is); the mask is 1 on real tokens, 0 on padding.
    public func pad(_ encoded: some Collection<[Int]>, to length: Int) -> TokenBatch {
        func padded(_ row: [Int], with value: Int) -> [Int] {
            let padding = [Int](repeating: value, count: max(0, length - row.count))
            return padsLeft ? padding + row : row + padding
        }
        return TokenBatch(ids: encoded.map { padded($0, with: padID) },
                          attentionMask: encoded.map { padded([Int](repeating: 1, count: $0.count), with: 0) })
    }
}

/// A tokenizer cut to a shorter sequence length, as `--max-length` asks: the text's tokens are
/// truncated and the model's closing special token (CLIP's and SigLIP's eos) kept last; fixed-length tokenizers
/// pad to the new length.
public struct ResizedTokenizer: TextTokenizer {
    public let base: TextTokenizer
    public var warnings: [String] { base.warnings }
    public let maxLength: Int

    /// The lengths a cut may have: room for the closing token after at least one other; at most what any text tower
    /// takes (a fixed-length tokenizer pads every text to it).
    public static let lengths = 2...65_536

    public init(_ base: TextTokenizer, maxLength: Int) throws {
        guard Self.lengths.contains(maxLength) else {
            throw TokenizerError.invalidSetting("the maximum length must be \(Self.lengths.lowerBound)…\(Self.lengths.upperBound) tokens, got \(maxLength)")
        }
        self.base = base
        self.maxLength = maxLength
    }

    public var padID: Int { base.padID }
    public var padsLeft: Bool { base.padsLeft }
    public var summary: String { base.summary }
    public var fixedLength: Int? { base.fixedLength == nil ? nil : maxLength }

    public func encode(_ text: String) -> [Int] {
        let ids = base.encode(text)
        guard ids.count > maxLength, let last = ids.last else { return ids }
        return Array(ids.prefix(maxLength - 1)) + [last]
    }
}

extension TextTokenizer {
    public func withMaxLength(_ length: Int) throws -> TextTokenizer { try ResizedTokenizer(self, maxLength: length) }
}
