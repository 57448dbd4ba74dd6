/// An Arrow schema (the `Schema` table of Schema.fbs): its fields as a tree and its custom metadata, where Hugging
/// Face's `datasets` keeps the features under the `huggingface` key.
struct ArrowSchema: Equatable, Sendable {
    struct Field: Equatable, Sendable {
        var name: String
        var type: ArrowType
        /// A dictionary-encoded field: its record batch holds integer indices into a separate dictionary.
        var isDictionaryEncoded: Bool
        var children: [Field]
    }

    /// Fields nested deeper than this, or more fields than `mostFields`, are refused.
    static let deepestNesting = 64
    static let mostFields = 10_000

    var fields: [Field]
    var metadata: [String: String]

    init(_ table: FlatBufferTable) throws(DecodingFailure) {
        guard try table.int16(0) == 0 else { throw DecodingFailure("the schema is big-endian (Embeval reads little-endian Arrow data)") }
        var count = 0
        fields = try table.tables(1).map { (field) throws(DecodingFailure) in try Self.field(field, depth: 1, count: &count) }
        metadata = try Self.keyValues(table.tables(2))
    }

    static func keyValues(_ tables: [FlatBufferTable]) throws(DecodingFailure) -> [String: String] {
        var metadata = [String: String]()
        for pair in tables {
            if let key = try pair.string(0) { metadata[key] = try pair.string(1) ?? "" }
        }
        return metadata
    }

    private static func field(_ table: FlatBufferTable, depth: Int, count: inout Int) throws(DecodingFailure) -> Field {
        guard depth <= deepestNesting else { throw DecodingFailure("the schema nests more than \(deepestNesting) deep") }
        count += 1
        guard count <= mostFields else { throw DecodingFailure("the schema has more than \(mostFields) fields") }
        let type = try ArrowType(code: table.uint8(2), table: table.table(3))
        let dictionary = try table.table(4) != nil
        let children = try table.tables(5).map { (child) throws(DecodingFailure) in try field(child, depth: depth + 1, count: &count) }
        return Field(name: try table.string(0) ?? "", type: type, isDictionaryEncoded: dictionary, children: children)
    }
}

/// An Arrow data type as far as reading needs it: which buffers its arrays have, and what Embeval can take from it.
enum ArrowType: Equatable, Sendable, CustomStringConvertible {
    case null
    case int(bitWidth: Int, signed: Bool)
    case binary, largeBinary, utf8, largeUtf8
    case structure
    /// Types with a validity bitmap and one data buffer (bool, floats, decimals, dates, times, …).
    case fixedWidth(String)
    case list(String)           // List, LargeList, Map: validity and offsets, then the child
    case listView(String)       // ListView, LargeListView: validity, offsets, sizes
    case fixedSizeList
    case union(dense: Bool)
    case runEndEncoded
    case view(String)           // BinaryView, Utf8View: validity, views, then variadic data buffers
    case unknown(UInt8)

    /// The Type union's code (Schema.fbs) and its table.
    init(code: UInt8, table: FlatBufferTable?) throws(DecodingFailure) {
        switch code {
        case 1: self = .null
        case 2:
            let width = Int(try table?.int32(0) ?? 0)
            guard [8, 16, 32, 64].contains(width) else { throw DecodingFailure("an integer type of \(width) bits") }
            self = .int(bitWidth: width, signed: try table?.bool(1) ?? false)
        case 3: self = .fixedWidth("float")
        case 4: self = .binary
        case 5: self = .utf8
        case 6: self = .fixedWidth("bool")
        case 7: self = .fixedWidth("decimal")
        case 8: self = .fixedWidth("date")
        case 9: self = .fixedWidth("time")
        case 10: self = .fixedWidth("timestamp")
        case 11: self = .fixedWidth("interval")
        case 12: self = .list("list")
        case 13: self = .structure
        case 14: self = .union(dense: try table?.int16(0) == 1)
        case 15: self = .fixedWidth("fixed_size_binary")
        case 16: self = .fixedSizeList
        case 17: self = .list("map")
        case 18: self = .fixedWidth("duration")
        case 19: self = .largeBinary
        case 20: self = .largeUtf8
        case 21: self = .list("large_list")
        case 22: self = .runEndEncoded
        case 23: self = .view("binary_view")
        case 24: self = .view("string_view")
        case 25: self = .listView("list_view")
        case 26: self = .listView("large_list_view")
        default: self = .unknown(code)
        }
    }

    /// The buffers an array of this type has in a record batch (Arrow's columnar format, V5 unions without
    /// validity); a view type adds its variadic data buffers, counted per batch.
    var fixedBufferCount: Int? {
        switch self {
        case .null, .runEndEncoded: 0
        case .int, .fixedWidth, .list, .view: 2
        case .binary, .largeBinary, .utf8, .largeUtf8, .listView: 3
        case .structure, .fixedSizeList: 1
        case .union(let dense): dense ? 2 : 1
        case .unknown: nil
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .int(let width, let signed): "\(signed ? "" : "u")int\(width)"
        case .binary: "binary"
        case .largeBinary: "large_binary"
        case .utf8: "string"
        case .largeUtf8: "large_string"
        case .structure: "struct"
        case .fixedWidth(let name), .list(let name), .listView(let name), .view(let name): name
        case .fixedSizeList: "fixed_size_list"
        case .union: "union"
        case .runEndEncoded: "run_end_encoded"
        case .unknown(let code): "type \(code)"
        }
    }
}
