import Embeval

/// Checks a harness makes beyond "no trap": results that no caller could use are findings too.
public enum FuzzCheck {
    /// Batches `texts`, failing on a batch a text tower could not take: not one row of one length per text, a row
    /// longer than the tokenizer's length, or a mask that is not 1s on the text's tokens and 0s on the padding.
    public static func batch(_ tokenizer: any TextTokenizer, _ texts: [String]) {
        let batch = tokenizer.batch(texts), counts = batch.attentionMask.map { $0.reduce(0, +) }
        let length = tokenizer.fixedLength ?? counts.max() ?? 0
        guard batch.ids.count == texts.count, batch.attentionMask.count == texts.count,
              batch.ids.allSatisfy({ $0.count == length }), batch.attentionMask.allSatisfy({ $0.count == length }) else {
            fatalError("\(tokenizer.summary): a batch of \(texts.count) texts is not \(texts.count) rows of \(length)")
        }
        if let count = counts.first(where: { $0 > tokenizer.maxLength }) {
            fatalError("\(tokenizer.summary): a text of \(count) ids, more than its length \(tokenizer.maxLength)")
        }
        for (mask, count) in zip(batch.attentionMask, counts) {
            let text = tokenizer.padsLeft ? mask.suffix(count) : mask.prefix(count)
            if text.contains(where: { $0 != 1 }) || mask.contains(where: { $0 != 0 && $0 != 1 }) {
                fatalError("\(tokenizer.summary): a mask \(mask) that is not 1s on the text and 0s on the padding")
            }
        }
    }
}
