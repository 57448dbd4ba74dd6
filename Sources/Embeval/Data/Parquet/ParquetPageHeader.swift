/// The header before each page of a column chunk (parquet.thrift's `PageHeader`), with the part for its kind:
/// a data page (v1 or v2) or a dictionary page. Index pages and statistics are skipped unread.
struct ParquetPageHeader: Equatable {
    enum Kind: Equatable { case dataV1, index, dictionary, dataV2, other(Int32) }

    var kind: Kind
    var uncompressedSize: Int
    var compressedSize: Int
    /// DATA_PAGE: the values, their encoding and that of the levels (RLE, or the deprecated BIT_PACKED).
    var dataV1: DataPageV1?
    /// DICTIONARY_PAGE: the number of entries and their encoding (PLAIN or PLAIN_DICTIONARY, both plain values).
    var dictionary: DictionaryPage?
    /// DATA_PAGE_V2: levels stored uncompressed before the (possibly compressed) values, their lengths given here.
    var dataV2: DataPageV2?
    /// The bytes the header itself took, so the page's data starts this far after the header's first byte.
    var headerSize: Int

    struct DataPageV1: Equatable {
        var valueCount: Int
        var encoding: Int32
        var definitionLevelEncoding: Int32
        var repetitionLevelEncoding: Int32
    }

    struct DictionaryPage: Equatable {
        var valueCount: Int
        var encoding: Int32
    }

    struct DataPageV2: Equatable {
        var valueCount: Int
        var nullCount: Int
        var rowCount: Int
        var encoding: Int32
        var definitionLevelsLength: Int
        var repetitionLevelsLength: Int
        var isCompressed: Bool
    }

    /// Decodes the header starting at `offset` of `bytes`.
    init(_ bytes: [UInt8], at offset: Int) throws(DecodingFailure) {
        var reader = ThriftCompactReader(bytes, range: offset..<bytes.count)
        var kind: Kind? = nil, uncompressed: Int32? = nil, compressed: Int32? = nil
        var v1: DataPageV1? = nil, dictionary: DictionaryPage? = nil, v2: DataPageV2? = nil
        try reader.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 1:
                let code = try r.readInt32(type)
                kind = switch code { case 0: .dataV1; case 1: .index; case 2: .dictionary; case 3: .dataV2; default: .other(code) }
            case 2: uncompressed = try r.readInt32(type)
            case 3: compressed = try r.readInt32(type)
            case 5: v1 = try Self.dataV1(&r, type)
            case 7: dictionary = try Self.dictionary(&r, type)
            case 8: v2 = try Self.dataV2(&r, type)
            default: return false
            }
            return true
        }
        guard let kind, let uncompressed, let compressed else {
            throw DecodingFailure("a page header lacks its type or sizes")
        }
        guard uncompressed >= 0, compressed >= 0 else {
            throw DecodingFailure("a page header declares a negative size (\(compressed) compressed, \(uncompressed) uncompressed)")
        }
        self.kind = kind
        uncompressedSize = Int(uncompressed)
        compressedSize = Int(compressed)
        dataV1 = v1
        self.dictionary = dictionary
        dataV2 = v2
        headerSize = reader.position - offset
    }

    private static func count(_ value: Int32, _ what: String) throws(DecodingFailure) -> Int {
        guard value >= 0 else { throw DecodingFailure("a page header declares \(value) \(what)") }
        return Int(value)
    }

    private static func dataV1(_ r: inout ThriftCompactReader, _ type: ThriftCompactReader.ValueType) throws(DecodingFailure) -> DataPageV1 {
        guard type == .structure else { throw DecodingFailure("a data page header is not a struct") }
        var values: Int32? = nil, encoding: Int32? = nil, definition: Int32? = nil, repetition: Int32? = nil
        try r.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 1: values = try r.readInt32(type)
            case 2: encoding = try r.readInt32(type)
            case 3: definition = try r.readInt32(type)
            case 4: repetition = try r.readInt32(type)
            default: return false
            }
            return true
        }
        guard let values, let encoding, let definition, let repetition else {
            throw DecodingFailure("a data page header lacks its value count or encodings")
        }
        return DataPageV1(valueCount: try count(values, "values"), encoding: encoding,
                          definitionLevelEncoding: definition, repetitionLevelEncoding: repetition)
    }

    private static func dictionary(_ r: inout ThriftCompactReader, _ type: ThriftCompactReader.ValueType) throws(DecodingFailure) -> DictionaryPage {
        guard type == .structure else { throw DecodingFailure("a dictionary page header is not a struct") }
        var values: Int32? = nil, encoding: Int32? = nil
        try r.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 1: values = try r.readInt32(type)
            case 2: encoding = try r.readInt32(type)
            default: return false
            }
            return true
        }
        guard let values, let encoding else { throw DecodingFailure("a dictionary page header lacks its value count or encoding") }
        return DictionaryPage(valueCount: try count(values, "dictionary entries"), encoding: encoding)
    }

    private static func dataV2(_ r: inout ThriftCompactReader, _ type: ThriftCompactReader.ValueType) throws(DecodingFailure) -> DataPageV2 {
        guard type == .structure else { throw DecodingFailure("a data page v2 header is not a struct") }
        var fields = [Int16: Int32](), compressed = true
        try r.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 1...6: fields[id] = try r.readInt32(type)
            case 7: compressed = try r.readBool(type)
            default: return false
            }
            return true
        }
        guard let values = fields[1], let nulls = fields[2], let rows = fields[3], let encoding = fields[4],
              let definition = fields[5], let repetition = fields[6] else {
            throw DecodingFailure("a data page v2 header lacks one of its counts, encoding or level lengths")
        }
        return DataPageV2(valueCount: try count(values, "values"), nullCount: try count(nulls, "nulls"),
                          rowCount: try count(rows, "rows"), encoding: encoding,
                          definitionLevelsLength: try count(definition, "definition level bytes"),
                          repetitionLevelsLength: try count(repetition, "repetition level bytes"),
                          isCompressed: compressed)
    }
}
