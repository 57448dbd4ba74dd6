// Arrow IPC files (Data/Arrow: stream and file formats, flatbuffer metadata, record batches, Zstandard bodies): the
// bytes as an .arrow file, opened, every usable column of every record batch read, then opened as a dataset whose
// images' bytes are fetched.
@testable import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArrow(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file("input.arrow", FuzzInput.bytes(data, size))
    guard let table = try? ArrowTable(url) else { return 0 }
    for column in table.columns {
        for group in table.groupRowCounts.indices {
            if column.kind.canHoldLabels { _ = try? table.labels(column: column.name, group: group) }
            if column.kind.canHoldImages { _ = try? table.images(column: column.name, group: group) }
        }
    }
    if let dataset = try? ColumnarDataset.load([table], features: nil, columns: ColumnMapping(), name: "fuzz", split: nil) {
        for sample in dataset.samples {
            if case .encoded(let store, let index) = sample.source { _ = try? store.bytes(at: index) }
        }
    }
    return 0
}
