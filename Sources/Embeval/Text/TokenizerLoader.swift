import Foundation

/// Opens the tokenizer a path holds — a tokenizer.json(.gz) or a model directory — as the right `TextTokenizer`.
public enum TokenizerLoader {
    /// What a path holds, as far as choosing a tokenizer goes.
    enum Kind {
        case clipBPE(TokenizerFiles)
        case unsupported(path: String, modelType: String)
    }

    /// The tokenizer for `path`; anything other than a supported kind is a one-line `EmbevalError.input`.
    public static func load(path: String) throws -> any TextTokenizer {
        switch try kind(of: path) {
        case .clipBPE(let files): return try CLIPTokenizer(files: files)
        case .unsupported(let file, let modelType):
            throw EmbevalError.input(
                "tokenizer '\(file)': unsupported tokenizer model type '\(modelType)' (supported: CLIP BPE, SentencePiece unigram)")
        }
    }

    /// Recognises the tokenizer at `path` (one case per supported kind).
    static func kind(of path: String) throws -> Kind {
        let files = try TokenizerFiles(path: path)
        if CLIPTokenizer.recognises(files.json) { return .clipBPE(files) }
        let type = files.json.modelType == "BPE" ? "BPE without the </w> suffix" : files.json.modelType
        return .unsupported(path: files.json.path, modelType: type)
    }
}
