// The Thrift compact protocol (Data/Parquet/ThriftCompactReader.swift) through what parquet decodes with it: the
// bytes as a footer (ParquetMetadata, then the schema tree) and as a page header.
@testable import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzThrift(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    if let metadata = try? ParquetMetadata(thrift: bytes) { _ = try? ParquetSchema(metadata.schema) }
    _ = try? ParquetPageHeader(bytes, at: 0)
    return 0
}
