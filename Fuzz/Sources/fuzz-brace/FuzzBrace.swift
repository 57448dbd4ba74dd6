// Brace patterns of shard names (Data/BracePattern.swift): the bytes as UTF-8 text, expanded with the default bounds.
@testable import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBrace(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = try? BracePattern.expand(String(decoding: FuzzInput.bytes(data, size), as: UTF8.self))
    return 0
}
