// tokenizer.json (Text/TokenizerJSON.swift) and the tokenizer engine built from it (Text/TokenizerPipeline.swift):
// the bytes as tokenizer.json, parsed; when it makes a tokenizer, a few texts and its added tokens are encoded.
import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file("tokenizer.json", FuzzInput.bytes(data, size))
    guard let files = try? TokenizerFiles(path: url.path), let tokenizer = try? TokenizerPipeline(files: files) else { return 0 }
    let texts = FuzzInput.texts + files.json.addedTokens.prefix(4).map { "a \($0.content)b c" }
    for text in texts { _ = tokenizer.encode(text) }
    _ = tokenizer.batch(texts)
    return 0
}
