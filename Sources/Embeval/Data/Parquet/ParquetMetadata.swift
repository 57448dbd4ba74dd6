/// The footer of a parquet file: parquet.thrift's `FileMetaData`, with the fields Embeval reads (the schema, the row
/// groups and their column chunks, the key-value metadata). Statistics, page indexes, sorting columns, column orders
/// and bloom filters are skipped unread.
struct ParquetMetadata: Equatable, Sendable {
    var schema: [SchemaElement]
    var rowCount: Int64
    var rowGroups: [RowGroup]
    /// `key_value_metadata`: pyarrow's `ARROW:schema`, Hugging Face's `huggingface` (the dataset features) and others.
    var keyValues: [String: String]
    var createdBy: String?
    /// Whether the footer names an encryption algorithm (encrypted columns; Embeval reads none).
    var isEncrypted = false

    /// One node of the flattened schema tree (depth-first; a group has `childCount` children after it).
    struct SchemaElement: Equatable, Sendable {
        var physicalType: PhysicalType?
        var repetition: Repetition?
        var name: String
        var childCount: Int
        /// Text (`UTF8`, `ENUM`, `JSON` converted types or the STRING/ENUM/JSON logical types) rather than bytes.
        var isText = false
        /// An unsigned integer (`UINT_*` converted types, or the INTEGER logical type with isSigned false).
        var isUnsigned = false
    }

    /// parquet.thrift's `Type`; `other` keeps a code Embeval does not name.
    enum PhysicalType: Equatable, Sendable, CustomStringConvertible {
        case boolean, int32, int64, int96, float, double, byteArray, fixedLengthByteArray, other(Int32)

        init(code: Int32) {
            let known: [PhysicalType] = [.boolean, .int32, .int64, .int96, .float, .double, .byteArray, .fixedLengthByteArray]
            self = (0..<Int32(known.count)).contains(code) ? known[Int(code)] : .other(code)
        }

        var description: String {
            switch self {
            case .boolean: "BOOLEAN"
            case .int32: "INT32"
            case .int64: "INT64"
            case .int96: "INT96"
            case .float: "FLOAT"
            case .double: "DOUBLE"
            case .byteArray: "BYTE_ARRAY"
            case .fixedLengthByteArray: "FIXED_LEN_BYTE_ARRAY"
            case .other(let code): "type \(code)"
            }
        }
    }

    enum Repetition: Equatable, Sendable { case required, optional, repeated }

    struct RowGroup: Equatable, Sendable {
        var columns: [ColumnChunk]
        var rowCount: Int64
    }

    struct ColumnChunk: Equatable, Sendable {
        /// Set when the chunk lives in another file (parquet's rarely used external column chunks).
        var filePath: String?
        var metadata: ColumnMetadata?
        /// Whether the chunk carries encryption metadata.
        var isEncrypted = false
    }

    struct ColumnMetadata: Equatable, Sendable {
        var physicalType: PhysicalType
        var path: [String]
        /// parquet.thrift's `CompressionCodec` code.
        var codec: Int32
        var valueCount: Int64
        var totalCompressedSize: Int64
        var dataPageOffset: Int64
        var dictionaryPageOffset: Int64?
    }

    /// Decodes the footer's Thrift bytes.
    init(thrift bytes: [UInt8]) throws(DecodingFailure) {
        var reader = ThriftCompactReader(bytes)
        var schema: [SchemaElement]? = nil, rowCount: Int64? = nil, rowGroups: [RowGroup]? = nil
        var keyValues = [String: String](), createdBy: String? = nil, encrypted = false
        try reader.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 2: schema = try Self.list(&r, type) { (r, t) throws(DecodingFailure) in try SchemaElement(&r, t) }
            case 3: rowCount = try r.readInteger(type)
            case 4: rowGroups = try Self.list(&r, type) { (r, t) throws(DecodingFailure) in try RowGroup(&r, t) }
            case 5:
                try r.readList(type) { (r, t) throws(DecodingFailure) in
                    let (key, value) = try Self.keyValue(&r, t)
                    keyValues[key] = value
                }
            case 6: createdBy = try r.readString(type)
            case 8: encrypted = true; return false
            default: return false
            }
            return true
        }
        guard let schema else { throw DecodingFailure("the footer has no schema") }
        guard let rowCount else { throw DecodingFailure("the footer has no row count") }
        guard let rowGroups else { throw DecodingFailure("the footer has no row groups") }
        self.schema = schema
        self.rowCount = rowCount
        self.rowGroups = rowGroups
        self.keyValues = keyValues
        self.createdBy = createdBy
        self.isEncrypted = encrypted
    }

    /// A Thrift list read element by element.
    static func list<T>(
        _ r: inout ThriftCompactReader, _ type: ThriftCompactReader.ValueType,
        _ element: (inout ThriftCompactReader, ThriftCompactReader.ValueType) throws(DecodingFailure) -> T
    ) throws(DecodingFailure) -> [T] {
        var items = [T]()
        try r.readList(type) { (r, t) throws(DecodingFailure) in items.append(try element(&r, t)) }
        return items
    }

    /// A `KeyValue` struct (a missing value reads as empty).
    private static func keyValue(_ r: inout ThriftCompactReader, _ type: ThriftCompactReader.ValueType) throws(DecodingFailure) -> (String, String) {
        guard type == .structure else { throw DecodingFailure("key-value metadata is not a struct") }
        var key: String? = nil, value = ""
        try r.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 1: key = try r.readString(type)
            case 2: value = try r.readString(type)
            default: return false
            }
            return true
        }
        guard let key else { throw DecodingFailure("key-value metadata without a key") }
        return (key, value)
    }
}

extension ParquetMetadata.SchemaElement {
    init(_ r: inout ThriftCompactReader, _ type: ThriftCompactReader.ValueType) throws(DecodingFailure) {
        guard type == .structure else { throw DecodingFailure("a schema element is not a struct") }
        var physical: ParquetMetadata.PhysicalType? = nil, repetition: ParquetMetadata.Repetition? = nil
        var name: String? = nil, children = 0, text = false, unsigned = false
        try r.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 1: physical = .init(code: try r.readInt32(type))
            case 3:
                switch try r.readInt32(type) {
                case 0: repetition = .required
                case 1: repetition = .optional
                case 2: repetition = .repeated
                case let other: throw DecodingFailure("unknown repetition type \(other)")
                }
            case 4: name = try r.readString(type)
            case 5:
                let count = try r.readInt32(type)
                guard count >= 0 else { throw DecodingFailure("a schema element with \(count) children") }
                children = Int(count)
            case 6:
                // ConvertedType: UTF8 0, ENUM 4, JSON 19 are text; UINT_8…UINT_64 are 11…14.
                let converted = try r.readInt32(type)
                text = text || [0, 4, 19].contains(converted)
                unsigned = unsigned || (11...14).contains(converted)
            case 10: try Self.logicalType(&r, type, text: &text, unsigned: &unsigned)
            default: return false
            }
            return true
        }
        guard let name else { throw DecodingFailure("a schema element without a name") }
        self.init(physicalType: physical, repetition: repetition, name: name, childCount: children, isText: text, isUnsigned: unsigned)
    }

    /// The LogicalType union: STRING (1), ENUM (4) and JSON (12) are text; INTEGER (10) says whether it is signed.
    private static func logicalType(_ r: inout ThriftCompactReader, _ type: ThriftCompactReader.ValueType,
                                    text: inout Bool, unsigned: inout Bool) throws(DecodingFailure) {
        guard type == .structure else { throw DecodingFailure("a logical type is not a struct") }
        try r.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 1, 4, 12: text = true; return false
            case 10:
                guard type == .structure else { return false }
                try r.readStruct { (r, id, type) throws(DecodingFailure) in
                    guard id == 2 else { return false }
                    unsigned = try !r.readBool(type)
                    return true
                }
                return true
            default: return false
            }
        }
    }
}

extension ParquetMetadata.RowGroup {
    init(_ r: inout ThriftCompactReader, _ type: ThriftCompactReader.ValueType) throws(DecodingFailure) {
        guard type == .structure else { throw DecodingFailure("a row group is not a struct") }
        var columns: [ParquetMetadata.ColumnChunk]? = nil, rows: Int64? = nil
        try r.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 1: columns = try ParquetMetadata.list(&r, type) { (r, t) throws(DecodingFailure) in try ParquetMetadata.ColumnChunk(&r, t) }
            case 3: rows = try r.readInteger(type)
            default: return false
            }
            return true
        }
        guard let columns, let rows else { throw DecodingFailure("a row group without its columns or row count") }
        self.init(columns: columns, rowCount: rows)
    }
}

extension ParquetMetadata.ColumnChunk {
    init(_ r: inout ThriftCompactReader, _ type: ThriftCompactReader.ValueType) throws(DecodingFailure) {
        guard type == .structure else { throw DecodingFailure("a column chunk is not a struct") }
        var path: String? = nil, metadata: ParquetMetadata.ColumnMetadata? = nil, encrypted = false
        try r.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 1: path = try r.readString(type)
            case 3: metadata = try ParquetMetadata.ColumnMetadata(&r, type)
            case 8, 9: encrypted = true; return false
            default: return false
            }
            return true
        }
        self.init(filePath: path, metadata: metadata, isEncrypted: encrypted)
    }
}

extension ParquetMetadata.ColumnMetadata {
    init(_ r: inout ThriftCompactReader, _ type: ThriftCompactReader.ValueType) throws(DecodingFailure) {
        guard type == .structure else { throw DecodingFailure("column metadata is not a struct") }
        var physical: ParquetMetadata.PhysicalType? = nil, path: [String]? = nil, codec: Int32? = nil
        var values: Int64? = nil, compressed: Int64? = nil, dataOffset: Int64? = nil, dictionaryOffset: Int64? = nil
        try r.readStruct { (r, id, type) throws(DecodingFailure) in
            switch id {
            case 1: physical = .init(code: try r.readInt32(type))
            case 3: path = try ParquetMetadata.list(&r, type) { (r, t) throws(DecodingFailure) in try r.readString(t) }
            case 4: codec = try r.readInt32(type)
            case 5: values = try r.readInteger(type)
            case 7: compressed = try r.readInteger(type)
            case 9: dataOffset = try r.readInteger(type)
            case 11: dictionaryOffset = try r.readInteger(type)
            default: return false
            }
            return true
        }
        guard let physical, let path, let codec, let values, let compressed, let dataOffset else {
            throw DecodingFailure("column metadata lacks its type, path, codec, value count, size or data page offset")
        }
        self.init(physicalType: physical, path: path, codec: codec, valueCount: values, totalCompressedSize: compressed,
                  dataPageOffset: dataOffset, dictionaryPageOffset: dictionaryOffset)
    }
}
