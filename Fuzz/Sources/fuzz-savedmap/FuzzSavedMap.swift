// Saved maps (Projection/EmbeddingMap.swift, `explore --map saved.map --add new.npy`): the bytes as a saved map
// file; when it loads, three new points of the map's input width are placed on it.
import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSavedMap(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let map = try? SavedMap.load(from: FuzzInput.file("saved.map", FuzzInput.bytes(data, size))) else { return 0 }
    // New embeddings come from a separate .npy; widths beyond any real model's are left to the npy target.
    guard (0...4096).contains(map.inputWidth) else { return 0 }
    let width = map.inputWidth
    let points = Matrix(rows: 3, columns: width, values: (0..<(3 * width)).map { Float(($0 * 7) % 11) - 5 })
    _ = try? map.add(points)
    return 0
}
