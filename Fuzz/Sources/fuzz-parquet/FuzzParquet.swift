// Parquet files (Data/Parquet: footer, schema, pages, levels, codecs) and the Hugging Face dataset built on them
// (Data/HuggingFace/ColumnarDataset.swift: features JSON, column choice, labels): the bytes as a .parquet file,
// opened, every usable column of every row group read, then opened as a dataset whose images' bytes are fetched.
@testable import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParquet(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file("input.parquet", FuzzInput.bytes(data, size))
    guard let table = try? ParquetTable(url) else { return 0 }
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
