import ArgumentParser
import Embeval

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids a model's tokenizer gives each text: one JSON array per line.",
        discussion: "Any Hugging Face tokenizer.json (BPE, WordPiece, Unigram, WordLevel) or SigLIP's spiece.model. Ids are truncated as tokenizer_config.json says (CLIP: at most 77) and unpadded, except for SigLIP-family models (a spiece.model, or a config.json beside the tokenizer whose model_type contains siglip), which the zero-shot pipeline pads to 64."
    )

    @Option(help: "A tokenizer.json(.gz), a spiece.model, or a model directory holding one.")
    var tokenizer: String

    @Option(parsing: .unconditional, help: "Truncate (and, for fixed-length tokenizers, pad) to this many tokens instead.")
    var maxLength: Int?

    @Argument(help: "The texts.")
    var texts: [String]

    func validate() throws {
        let lengths = ResizedTokenizer.lengths
        if let maxLength, !lengths.contains(maxLength) {
            throw ValidationError("--max-length must be \(lengths.lowerBound)…\(lengths.upperBound), got \(maxLength)")
        }
    }

    func run() throws {
        var loaded = try TokenizerLoader.load(path: tokenizer)
        for w in loaded.warnings { printWarning(w) }
        if let maxLength { loaded = try loaded.withMaxLength(maxLength) }
        for text in texts {
            let ids = loaded.fixedLength == nil ? loaded.encode(text) : loaded.batch([text]).ids[0]
            print("[" + ids.map(String.init).joined(separator: ", ") + "]")
        }
    }
}
