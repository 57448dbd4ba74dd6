// tokenizer.json (Text/TokenizerJSON.swift), the settings beside it (Text/TokenizerFiles.swift: tokenizer_config.json
// and special_tokens_map.json, and SigLIP's reading of them) and the tokenizer engine built from them
// (Text/TokenizerPipeline.swift): the bytes as all three files, so one JSON object can carry a tokenizer and its
// settings (`model_max_length`, `pad_token`, `padding_side` …); when they make a tokenizer, a few texts and its added
// tokens are batched and checked as a text tower takes them (FuzzCheck.batch).
import Embeval
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    var url = FuzzInput.file("tokenizer.json", bytes)
    for name in ["tokenizer_config.json", "special_tokens_map.json"] { url = FuzzInput.file(name, bytes) }
    let folder = url.deletingLastPathComponent()
    _ = try? SiglipTokenizer.Config(directory: folder)
    guard let files = try? TokenizerFiles(path: folder.path) else { return 0 }
    for fixed in [nil, 64] {
        guard let tokenizer = try? TokenizerPipeline(files: files, fixedLength: fixed) else { continue }
        let texts = FuzzInput.texts + files.json.addedTokens.prefix(4).map { "a \($0.content)b c" }
        for text in texts { _ = tokenizer.encode(text) }
        FuzzCheck.batch(tokenizer, texts)
    }
    return 0
}
