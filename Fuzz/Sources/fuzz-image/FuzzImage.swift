// JPEG and PNG decoding (Imaging/ImageDecoder.swift over the C shim in Sources/CImageCodecs, with the EXIF
// orientation and Pillow's colour conversions): the bytes decoded from memory.
import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = try? ImageDecoder.decode(bytes: FuzzInput.bytes(data, size), name: "fuzz")
    return 0
}
