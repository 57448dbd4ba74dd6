// CSV and JSON Lines manifests (Data/Manifest.swift): the bytes as a .csv and as a .jsonl file, each loaded as a
// dataset with the default columns (path, label).
@testable import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    for name in ["manifest.csv", "manifest.jsonl"] {
        let url = FuzzInput.file(name, bytes)
        _ = try? Manifest.load(url, columns: ColumnMapping(), name: "fuzz", split: nil)
    }
    return 0
}
