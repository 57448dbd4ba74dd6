/// One leaf column of one row group, decoded from its pages: per row, whether a value is there, and the values.
///
/// Reads what pyarrow and the Hugging Face hub write: data pages v1 (levels and values compressed together) and v2
/// (levels uncompressed before the values), a dictionary page before them, values PLAIN or dictionary-encoded
/// (PLAIN_DICTIONARY / RLE_DICTIONARY, with pyarrow's fallback to PLAIN pages once the dictionary grows too large),
/// definition levels in the RLE/bit-packed hybrid. Only non-repeated columns: a list column's rows are not its values.
struct ParquetColumnChunk {
    /// Per row: whether it holds a value (its definition level is the maximum). Empty when every row does.
    var present: [Bool]
    var values: Values
    /// The rows decoded.
    var rowCount: Int

    /// The values of the rows that hold one, in row order.
    enum Values {
        case integers([Int64])
        /// Byte arrays as ranges of one buffer (a dictionary's entries are stored once, however often they are used).
        case byteArrays(buffer: [UInt8], ranges: [Range<Int>])
    }

    /// The value of row `row`, as an index into `values`; nil when the row holds none.
    func valueIndices() -> [Int?] {
        guard !present.isEmpty else { return (0..<rowCount).map { $0 } }
        var next = 0
        return present.map { here in
            guard here else { return nil }
            defer { next += 1 }
            return next
        }
    }

    /// Decodes the pages in `chunk` (the column chunk's bytes, from its first page) until `rowCount` rows are read.
    init(_ chunk: [UInt8], leaf: ParquetSchema.Leaf, codec: Codec, rowCount: Int) throws(DecodingFailure) {
        guard leaf.maxRepetitionLevel == 0 else {
            throw DecodingFailure("'\(leaf.dottedPath)' is a repeated (list) column, which Embeval does not read")
        }
        var decoder = PageDecoder(leaf: leaf, rowCount: rowCount)
        var position = 0
        while decoder.rowsRead < rowCount {
            guard position < chunk.count else {
                throw DecodingFailure("the column chunk ends after \(decoder.rowsRead) of its \(rowCount) rows")
            }
            let header = try ParquetPageHeader(chunk, at: position)
            let start = position + header.headerSize
            guard header.compressedSize <= chunk.count - start else {
                throw DecodingFailure("a page of \(header.compressedSize) bytes at byte \(position) runs past the column chunk's \(chunk.count) bytes")
            }
            try chunk.withBytes { (all: UnsafeRawBufferPointer) throws(DecodingFailure) in
                let body = UnsafeRawBufferPointer(rebasing: all[start..<(start + header.compressedSize)])
                try decoder.decode(header, body: body, codec: codec)
            }
            position = start + header.compressedSize
        }
        present = decoder.present
        values = decoder.values
        self.rowCount = rowCount
    }
}

/// The state of decoding one column chunk page by page.
private struct PageDecoder {
    let leaf: ParquetSchema.Leaf
    let rowCount: Int
    var rowsRead = 0
    var present = [Bool]()
    var values: ParquetColumnChunk.Values
    /// The dictionary page's entries: integers, or ranges into the byte-array buffer.
    var dictionary: ParquetColumnChunk.Values?

    init(leaf: ParquetSchema.Leaf, rowCount: Int) {
        self.leaf = leaf
        self.rowCount = rowCount
        values = leaf.physicalType == .byteArray ? .byteArrays(buffer: [], ranges: []) : .integers([])
    }

    mutating func decode(_ header: ParquetPageHeader, body: UnsafeRawBufferPointer, codec: Codec) throws(DecodingFailure) {
        switch header.kind {
        case .dictionary:
            guard let info = header.dictionary else { throw DecodingFailure("a dictionary page without its header") }
            guard dictionary == nil, rowsRead == 0 else { throw DecodingFailure("a second dictionary page, or one after data pages") }
            guard info.encoding == 0 || info.encoding == 2 else {
                throw DecodingFailure("a dictionary page in encoding \(Encoding.name(info.encoding)) (expected PLAIN)")
            }
            let page = try codec.decompress(body, size: header.uncompressedSize)
            try page.withBytes { (bytes: UnsafeRawBufferPointer) throws(DecodingFailure) in
                dictionary = try readDictionary(bytes, count: info.valueCount)
            }
        case .dataV1:
            guard let info = header.dataV1 else { throw DecodingFailure("a data page without its header") }
            let rows = try claim(info.valueCount)
            let page = try codec.decompress(body, size: header.uncompressedSize)
            try page.withBytes { (bytes: UnsafeRawBufferPointer) throws(DecodingFailure) in
                var position = 0
                var defined = rows
                if leaf.maxDefinitionLevel > 0 {
                    guard info.definitionLevelEncoding == 3 else {
                        throw DecodingFailure("definition levels in encoding \(Encoding.name(info.definitionLevelEncoding)) (Embeval reads RLE)")
                    }
                    guard bytes.count >= 4 else { throw DecodingFailure("a data page ends before its definition levels") }
                    let length = Int(bytes.loadUnaligned(as: UInt32.self).littleEndian)
                    guard length <= bytes.count - 4 else { throw DecodingFailure("definition levels of \(length) bytes run past the page") }
                    defined = try readLevels(UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + length)]), rows: rows)
                    position = 4 + length
                }
                try readValues(UnsafeRawBufferPointer(rebasing: bytes[position...]), encoding: info.encoding, count: defined)
            }
            rowsRead += rows
        case .dataV2:
            guard let info = header.dataV2 else { throw DecodingFailure("a data page v2 without its header") }
            let rows = try claim(info.valueCount)
            guard info.rowCount == rows else { throw DecodingFailure("a data page v2 of \(info.valueCount) values in \(info.rowCount) rows") }
            let levels = info.repetitionLevelsLength + info.definitionLevelsLength
            guard levels <= body.count, levels <= header.uncompressedSize else {
                throw DecodingFailure("levels of \(levels) bytes run past a data page v2 of \(body.count) bytes")
            }
            var defined = rows
            if leaf.maxDefinitionLevel > 0 {
                let start = info.repetitionLevelsLength
                defined = try readLevels(UnsafeRawBufferPointer(rebasing: body[start..<(start + info.definitionLevelsLength)]), rows: rows)
            }
            guard rows - defined == info.nullCount else {
                throw DecodingFailure("a data page v2 declares \(info.nullCount) nulls, its levels say \(rows - defined)")
            }
            let rest = UnsafeRawBufferPointer(rebasing: body[levels...])
            let valueBytes = header.uncompressedSize - levels
            if info.isCompressed, codec != .uncompressed {
                let page = try codec.decompress(rest, size: valueBytes)
                try page.withBytes { (bytes: UnsafeRawBufferPointer) throws(DecodingFailure) in
                    try readValues(bytes, encoding: info.encoding, count: defined)
                }
            } else {
                guard rest.count == valueBytes else { throw DecodingFailure("a data page v2 holds \(rest.count) value bytes where its header declares \(valueBytes)") }
                try readValues(rest, encoding: info.encoding, count: defined)
            }
            rowsRead += rows
        case .index, .other:
            return
        }
    }

    /// A data page's value count, checked against the rows still to come (each row of a non-repeated column is one
    /// value or null): what bounds every allocation below.
    private func claim(_ count: Int) throws(DecodingFailure) -> Int {
        guard count <= rowCount - rowsRead else {
            throw DecodingFailure("a data page of \(count) values where \(rowCount - rowsRead) of the row group's \(rowCount) rows remain")
        }
        return count
    }

    /// Reads `rows` definition levels (RLE/bit-packed hybrid), records which rows hold a value, and returns how many do.
    private mutating func readLevels(_ bytes: UnsafeRawBufferPointer, rows: Int) throws(DecodingFailure) -> Int {
        let maximum = leaf.maxDefinitionLevel
        let levels = try RLEHybrid.decode(bytes, bitWidth: RLEHybrid.bitWidth(forMaximum: maximum), count: rows)
        if present.isEmpty { present.reserveCapacity(rowCount) }
        var defined = 0
        for level in levels {
            guard level <= UInt32(maximum) else { throw DecodingFailure("definition level \(level) above the column's maximum \(maximum)") }
            let here = level == UInt32(maximum)
            present.append(here)
            if here { defined += 1 }
        }
        return defined
    }

    private mutating func readValues(_ bytes: UnsafeRawBufferPointer, encoding: Int32, count: Int) throws(DecodingFailure) {
        switch encoding {
        case 0:
            switch (leaf.physicalType, values) {
            case (.byteArray, .byteArrays(var buffer, var ranges)):
                values = .integers([])   // lets `buffer` and `ranges` be appended to in place
                try Plain.byteArrays(bytes, count: count, into: &buffer, ranges: &ranges)
                values = .byteArrays(buffer: buffer, ranges: ranges)
            case (_, .integers(var integers)):
                values = .integers([])
                try Plain.integers(bytes, type: leaf.physicalType, unsigned: leaf.isUnsigned, count: count, into: &integers)
                values = .integers(integers)
            default: throw DecodingFailure("PLAIN values of type \(leaf.physicalType)")
            }
        case 2, 8:
            guard let dictionary else { throw DecodingFailure("dictionary-encoded values without a dictionary page") }
            guard let width = bytes.first.map(Int.init) else {
                if count == 0 { return }
                throw DecodingFailure("a dictionary-encoded page without its bit width")
            }
            let indices = try RLEHybrid.decode(UnsafeRawBufferPointer(rebasing: bytes[1...]), bitWidth: width, count: count)
            switch (dictionary, values) {
            case (.byteArrays(_, let entries), .byteArrays(let buffer, var ranges)):
                values = .integers([])
                ranges.reserveCapacity(ranges.count + indices.count)
                for i in indices {
                    guard Int(i) < entries.count else { throw DecodingFailure("dictionary index \(i) beyond its \(entries.count) entries") }
                    ranges.append(entries[Int(i)])
                }
                values = .byteArrays(buffer: buffer, ranges: ranges)
            case (.integers(let entries), .integers(var integers)):
                values = .integers([])
                integers.reserveCapacity(integers.count + indices.count)
                for i in indices {
                    guard Int(i) < entries.count else { throw DecodingFailure("dictionary index \(i) beyond its \(entries.count) entries") }
                    integers.append(entries[Int(i)])
                }
                values = .integers(integers)
            default: throw DecodingFailure("a dictionary of another type than its column")
            }
        default:
            throw DecodingFailure("values in encoding \(Encoding.name(encoding)) (Embeval reads PLAIN, PLAIN_DICTIONARY and RLE_DICTIONARY)")
        }
    }

    /// A dictionary page's PLAIN entries; byte arrays go into the column's buffer once, and are referred to by range.
    private mutating func readDictionary(_ bytes: UnsafeRawBufferPointer, count: Int) throws(DecodingFailure) -> ParquetColumnChunk.Values {
        switch (leaf.physicalType, values) {
        case (.byteArray, .byteArrays(var buffer, let ranges)):
            values = .integers([])
            var entries = [Range<Int>]()
            try Plain.byteArrays(bytes, count: count, into: &buffer, ranges: &entries)
            values = .byteArrays(buffer: buffer, ranges: ranges)
            return .byteArrays(buffer: [], ranges: entries)
        case (_, .integers):
            var entries = [Int64]()
            try Plain.integers(bytes, type: leaf.physicalType, unsigned: leaf.isUnsigned, count: count, into: &entries)
            return .integers(entries)
        default: throw DecodingFailure("a dictionary of type \(leaf.physicalType)")
        }
    }
}

/// PLAIN-encoded values: little-endian fixed-width integers, byte arrays as a 4-byte length and the bytes.
private enum Plain {
    static func integers(_ bytes: UnsafeRawBufferPointer, type: ParquetMetadata.PhysicalType, unsigned: Bool, count: Int,
                         into output: inout [Int64]) throws(DecodingFailure) {
        let width: Int
        switch type {
        case .int32: width = 4
        case .int64: width = 8
        default: throw DecodingFailure("values of type \(type) (Embeval reads integers as INT32 or INT64)")
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, needed <= bytes.count else {
            throw DecodingFailure("\(count) \(type) values need \(needed) bytes, the page holds \(bytes.count)")
        }
        output.reserveCapacity(output.count + count)
        for i in 0..<count {
            if width == 4 {
                let raw = bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian
                output.append(unsigned ? Int64(raw) : Int64(Int32(bitPattern: raw)))
            } else {
                output.append(Int64(bitPattern: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
            }
        }
    }

    static func byteArrays(_ bytes: UnsafeRawBufferPointer, count: Int, into buffer: inout [UInt8],
                           ranges: inout [Range<Int>]) throws(DecodingFailure) {
        // Each value takes at least its 4-byte length: a count beyond that is refused before anything is reserved.
        guard count <= bytes.count / 4 else {
            throw DecodingFailure("\(count) byte arrays cannot fit in a page of \(bytes.count) bytes")
        }
        ranges.reserveCapacity(ranges.count + count)
        var position = 0
        for _ in 0..<count {
            guard bytes.count - position >= 4 else { throw DecodingFailure("a byte array's length runs past the page") }
            let length = Int(bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian)
            position += 4
            guard length <= bytes.count - position else {
                throw DecodingFailure("a byte array of \(length) bytes runs past the page (\(bytes.count - position) left)")
            }
            let start = buffer.count
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)]))
            ranges.append(start..<(start + length))
            position += length
        }
    }
}

/// parquet.thrift's `Encoding` codes, named for messages.
enum Encoding {
    static func name(_ code: Int32) -> String {
        let names: [Int32: String] = [0: "PLAIN", 2: "PLAIN_DICTIONARY", 3: "RLE", 4: "BIT_PACKED", 5: "DELTA_BINARY_PACKED",
                                      6: "DELTA_LENGTH_BYTE_ARRAY", 7: "DELTA_BYTE_ARRAY", 8: "RLE_DICTIONARY", 9: "BYTE_STREAM_SPLIT"]
        return names[code] ?? "\(code)"
    }
}
