import Foundation

/// Opens the tokenizer a path holds — a tokenizer.json(.gz), a spiece.model, or a model directory — as the right
/// `TextTokenizer`: every tokenizer.json runs on the one engine (`TokenizerPipeline`); a checkpoint that has only
/// SigLIP's `spiece.model` goes through transformers' SentencePiece rules (`SiglipTokenizer`).
public enum TokenizerLoader {
    /// The tokens every text is padded to for SigLIP-family models (`model_type` containing "siglip"), as
    /// transformers' zero-shot pipeline pads them; other models pad to the batch's longest text.
    public static let siglipLength = 64

    /// What a path holds, as far as choosing a tokenizer goes.
    enum Kind {
        case tokenizerJSON(TokenizerFiles)
        case sentencePiece(directory: URL)
    }

    /// The tokenizer for `path`; `modelType` is the model's `config.json` `model_type` (nil: read from a config.json
    /// beside the tokenizer, if any). Anything unreadable or unsupported is a one-line `TokenizerError`.
    public static func load(path: String, modelType: String? = nil) throws -> any TextTokenizer {
        switch try kind(of: path) {
        case .tokenizerJSON(let files):
            let type = modelType ?? Self.modelType(beside: files)
            let fixed = type.map { $0.lowercased().contains("siglip") } == true ? siglipLength : nil
            return try TokenizerPipeline(files: files, fixedLength: fixed)
        case .sentencePiece(let directory):
            return try SiglipTokenizer(directory: directory)
        }
    }

    /// Recognises the tokenizer at `path`. A `spiece.model` (or a directory holding one and no tokenizer.json) is
    /// SigLIP's SentencePiece tokenizer; otherwise it must be a tokenizer.json.
    static func kind(of path: String) throws -> Kind {
        let url = URL(fileURLWithPath: path)
        if url.lastPathComponent == "spiece.model" { return .sentencePiece(directory: url.deletingLastPathComponent()) }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("spiece.model").path), TokenizerFiles.locate(path) == nil {
            return .sentencePiece(directory: url)
        }
        return .tokenizerJSON(try TokenizerFiles(path: path))
    }

    /// `model_type` of the config.json in the tokenizer's folder, when there is one.
    static func modelType(beside files: TokenizerFiles) -> String? {
        let folder = URL(fileURLWithPath: files.json.path).deletingLastPathComponent()
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("config.json").path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        return object["model_type"] as? String
    }
}
