import Foundation

/// A parquet file opened for reading: its footer decoded and checked when opened, then one column of one row group
/// read at a time, on demand (`columnChunk`) — never the whole file.
///
/// Layout: `PAR1`, the column chunks (pages), the footer (Thrift compact `FileMetaData`), the footer's length as a
/// 4-byte little-endian integer, `PAR1`. Refused with a message: encrypted files (`PARE`), encrypted or external
/// column chunks, and codecs other than UNCOMPRESSED, SNAPPY, GZIP and ZSTD.
struct ParquetFile: Sendable {
    static let kind = "parquet file"

    let url: URL
    let metadata: ParquetMetadata
    let schema: ParquetSchema
    /// Where the column chunks may lie: after the leading magic, before the footer.
    let dataRegion: Range<Int>

    init(_ url: URL) throws(DatasetError) {
        let file = try ReadOnlyFile(url)
        func malformed(_ reason: String, at location: String? = nil) -> DatasetError {
            .malformed(kind: Self.kind, path: url.path, location: location, reason: reason)
        }
        guard file.size >= 12 else { throw malformed("\(file.size) bytes is too short for a parquet file (truncated?)") }
        let tail = try file.read((file.size - 8)..<file.size, "the footer's length")
        let magic = Array(tail[4..<8])
        if magic == Array("PARE".utf8) { throw DatasetError.unsupported(kind: Self.kind, path: url.path, location: nil, feature: "encrypted files (a PARE footer)") }
        guard magic == Array("PAR1".utf8), try file.read(0..<4, "the leading magic") == Array("PAR1".utf8) else {
            throw malformed("does not start and end with PAR1: not a parquet file, or truncated")
        }
        let footerLength = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard footerLength <= file.size - 12 else {
            throw malformed("declares a footer of \(footerLength) bytes in a file of \(file.size) (truncated?)")
        }
        let footerStart = file.size - 8 - footerLength
        let footer = try file.read(footerStart..<(file.size - 8), "the footer")
        let metadata: ParquetMetadata, schema: ParquetSchema
        do {
            metadata = try ParquetMetadata(thrift: footer)
            schema = try ParquetSchema(metadata.schema)
        } catch {
            throw malformed(error.reason, at: "footer")
        }
        if metadata.isEncrypted { throw DatasetError.unsupported(kind: Self.kind, path: url.path, location: nil, feature: "encrypted files") }
        var total = 0
        for (g, group) in metadata.rowGroups.enumerated() {
            guard group.rowCount >= 0, let rows = Int(exactly: group.rowCount), case (let sum, false) = total.addingReportingOverflow(rows) else {
                throw malformed("declares \(group.rowCount) rows", at: "row group \(g)")
            }
            total = sum
            guard group.columns.count == schema.leaves.count else {
                throw malformed("has \(group.columns.count) column chunks for the schema's \(schema.leaves.count) columns", at: "row group \(g)")
            }
            for (chunk, leaf) in zip(group.columns, schema.leaves) {
                let place = "row group \(g), column '\(leaf.dottedPath)'"
                if chunk.isEncrypted { throw DatasetError.unsupported(kind: Self.kind, path: url.path, location: place, feature: "encrypted columns") }
                if let external = chunk.filePath, !external.isEmpty {
                    throw DatasetError.unsupported(kind: Self.kind, path: url.path, location: place, feature: "column chunks kept in another file ('\(external)')")
                }
                guard let column = chunk.metadata else { throw malformed("has no column metadata", at: place) }
                guard column.path == leaf.path, column.physicalType == leaf.physicalType else {
                    throw malformed("is '\(column.path.joined(separator: "."))' of type \(column.physicalType) where the schema has \(leaf.physicalType)", at: place)
                }
            }
        }
        // Each row of an image dataset takes bytes; a footer promising more rows than the file has bytes is refused
        // before any per-row storage is made for them.
        guard total <= file.size else { throw malformed("declares \(total) rows in a file of \(file.size) bytes", at: "footer") }
        guard Int64(total) == metadata.rowCount else {
            throw malformed("declares \(metadata.rowCount) rows but its row groups hold \(total)", at: "footer")
        }
        self.url = url
        self.metadata = metadata
        self.schema = schema
        dataRegion = 4..<footerStart
    }

    /// Column `leaf` of row group `group`, its pages read from disk and decoded.
    func columnChunk(leaf index: Int, group: Int) throws(DatasetError) -> ParquetColumnChunk {
        let leaf = schema.leaves[index]
        let place = "row group \(group), column '\(leaf.dottedPath)'"
        let rowGroup = metadata.rowGroups[group]
        guard let column = rowGroup.columns[index].metadata else {
            throw DatasetError.malformed(kind: Self.kind, path: url.path, location: place, reason: "has no column metadata")
        }
        guard let codec = Codec(parquetCode: column.codec) else {
            throw DatasetError.unsupported(kind: Self.kind, path: url.path, location: place, feature: "the \(Codec.parquetName(column.codec)) codec (it reads UNCOMPRESSED, SNAPPY, GZIP and ZSTD)")
        }
        // The chunk starts at its dictionary page when it has one (some writers leave a 0 there: then the data page).
        var start = column.dataPageOffset
        if let dictionary = column.dictionaryPageOffset, dictionary > 0, dictionary < start { start = dictionary }
        guard start >= Int64(dataRegion.lowerBound), column.totalCompressedSize >= 0,
              column.totalCompressedSize <= Int64(dataRegion.upperBound) - start else {
            throw DatasetError.malformed(kind: Self.kind, path: url.path, location: place,
                                         reason: "its \(column.totalCompressedSize) bytes at offset \(start) lie outside the file's data (bytes 4…\(dataRegion.upperBound))")
        }
        let range = Int(start)..<Int(start + column.totalCompressedSize)
        let bytes = try ReadOnlyFile(url).read(range, "\(place)")
        do {
            return try ParquetColumnChunk(bytes, leaf: leaf, codec: codec, rowCount: Int(rowGroup.rowCount))
        } catch {
            throw DatasetError.malformed(kind: Self.kind, path: url.path, location: place, reason: error.reason)
        }
    }
}

extension Codec {
    /// parquet.thrift's `CompressionCodec` codes Embeval reads: 0 UNCOMPRESSED, 1 SNAPPY, 2 GZIP, 6 ZSTD.
    init?(parquetCode code: Int32) {
        switch code {
        case 0: self = .uncompressed
        case 1: self = .snappy
        case 2: self = .gzip
        case 6: self = .zstd
        default: return nil
        }
    }

    static func parquetName(_ code: Int32) -> String {
        [0: "UNCOMPRESSED", 1: "SNAPPY", 2: "GZIP", 3: "LZO", 4: "BROTLI", 5: "LZ4", 6: "ZSTD", 7: "LZ4_RAW"][code] ?? "unknown (\(code))"
    }
}
