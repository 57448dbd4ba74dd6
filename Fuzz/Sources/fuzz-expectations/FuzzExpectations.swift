// Expectations files of `embeval check` (Evaluation/Expectations.swift): the bytes as a file, loaded.
import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpectations(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = try? ExpectationFile.load(FuzzInput.file("expectations.json", FuzzInput.bytes(data, size)))
    return 0
}
