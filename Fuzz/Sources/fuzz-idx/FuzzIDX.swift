// IDX files of the MNIST family (Data/IDXFile.swift), plain or gzip-compressed (Data/Gzip.swift): the bytes as a
// file, read as an N×H×W image file and as an N label file.
@testable import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file("input-idx-ubyte", FuzzInput.bytes(data, size))
    _ = try? IDXFile.readImages(url)
    _ = try? IDXFile.readLabels(url)
    return 0
}
