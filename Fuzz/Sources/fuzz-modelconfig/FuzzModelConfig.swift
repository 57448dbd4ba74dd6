// Model config.json (Runtime/ModelConfig.swift): the bytes as a config.json file, loaded.
import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = try? ModelConfig.load(from: FuzzInput.file("config.json", FuzzInput.bytes(data, size)))
    return 0
}
