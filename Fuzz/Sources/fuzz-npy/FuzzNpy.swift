// .npy files (Embedding/NumpyArray.swift): the bytes as a file, read as a matrix, a label vector and a tensor.
import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpy(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file("input.npy", FuzzInput.bytes(data, size))
    _ = try? NumpyArray.readMatrix(at: url)
    _ = try? NumpyArray.readLabels(at: url)
    _ = try? NumpyArray.readTensor(at: url)
    return 0
}
