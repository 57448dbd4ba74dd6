// SentencePiece models (Text/SentencePieceModel.swift, Text/ProtobufReader.swift, Text/SentencePieceNormalizer.swift):
// the bytes as a serialised ModelProto; when it loads, a few texts are encoded.
import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSentencePiece(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let model = try? SentencePieceModel(bytes: FuzzInput.bytes(data, size), path: "fuzz.model") else { return 0 }
    for text in FuzzInput.texts {
        _ = model.encodePieces(text)
        _ = model.normalize(text)
    }
    return 0
}
