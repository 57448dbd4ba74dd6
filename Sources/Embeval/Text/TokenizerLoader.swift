import Foundation

/// Opens the tokenizer a path holds — a tokenizer.json(.gz) or a model directory — as the right `TextTokenizer`.
public enum TokenizerLoader {
    /// What a path holds, as far as choosing a tokenizer goes.
    enum Kind {
        case clipBPE(TokenizerFiles)
        case sentencePiece(directory: URL)
        case unsupported(path: String, modelType: String)
    }

    /// The tokenizer for `path`; anything other than a supported kind is a one-line `TokenizerError`.
    public static func load(path: String) throws -> any TextTokenizer {
        switch try kind(of: path) {
        case .clipBPE(let files): return try CLIPTokenizer(files: files)
        case .sentencePiece(let directory): return try SiglipTokenizer(directory: directory)
        case .unsupported(let file, let modelType):
            throw TokenizerError.unsupported(path: file, component: "tokenizer model type '\(modelType)' (supported: CLIP BPE, SentencePiece unigram)")
        }
    }

    /// Recognises the tokenizer at `path`: one case per supported kind. A `spiece.model` (or a directory holding one
    /// and no tokenizer.json) is SigLIP's SentencePiece tokenizer; otherwise tokenizer.json decides.
    static func kind(of path: String) throws -> Kind {
        let url = URL(fileURLWithPath: path)
        if url.lastPathComponent == "spiece.model" { return .sentencePiece(directory: url.deletingLastPathComponent()) }
        let manager = FileManager.default
        if manager.fileExists(atPath: url.appendingPathComponent("spiece.model").path),
           !manager.fileExists(atPath: url.appendingPathComponent("tokenizer.json").path) {
            return .sentencePiece(directory: url)
        }
        let files = try TokenizerFiles(path: path)
        switch files.json.modelType {
        case "BPE" where CLIPTokenizer.recognises(files.json): return .clipBPE(files)
        case "BPE": return .unsupported(path: files.json.path, modelType: "BPE without the </w> end-of-word suffix")
        default: return .unsupported(path: files.json.path, modelType: files.json.modelType)
        }
    }
}
