/// A reader of Apache Thrift's compact protocol, the encoding of parquet's footer and page headers.
///
/// Only what parquet needs: structs as (field id, type, value) sequences ended by a stop byte, zigzag varints,
/// binaries with a varint length, lists (size in the header nibble, or a varint when the nibble is 15), and skipping of
/// any field the caller does not ask for (sets and maps included). Every length is checked against the bytes left
/// before anything is read or reserved, varints are at most 10 bytes, and nesting is bounded (`deepestNesting`), so
/// hostile bytes end in a `DecodingFailure`, never a trap or a runaway allocation.
struct ThriftCompactReader {
    /// The type of a field or list element as the compact protocol tags it.
    enum ValueType: Equatable {
        case bool(Bool)        // a struct field: the value is the type nibble itself (1 true, 2 false)
        case boolElement       // a list element: one byte
        case byte, i16, i32, i64, double, binary, list, set, map, structure

        /// The type of a field header's low nibble; nil for an unknown code.
        init?(field nibble: UInt8) {
            switch nibble {
            case 1: self = .bool(true)
            case 2: self = .bool(false)
            default:
                guard let element = ValueType(element: nibble), element != .boolElement else { return nil }
                self = element
            }
        }

        /// The type of a list, set or map element (bools take a byte each there).
        init?(element nibble: UInt8) {
            switch nibble {
            case 1, 2: self = .boolElement
            case 3: self = .byte
            case 4: self = .i16
            case 5: self = .i32
            case 6: self = .i64
            case 7: self = .double
            case 8: self = .binary
            case 9: self = .list
            case 10: self = .set
            case 11: self = .map
            case 12: self = .structure
            default: return nil
            }
        }
    }

    /// Structs, lists and maps nested deeper than this are refused (parquet's own metadata nests about 6 deep).
    static let deepestNesting = 32

    private let bytes: [UInt8]
    /// The next byte to read.
    private(set) var position: Int
    private let end: Int
    private var depth = 0

    /// Reads `bytes[range]` (all of them by default).
    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        position = max(0, min(range.lowerBound, bytes.count))
        end = max(position, min(range.upperBound, bytes.count))
    }

    var remaining: Int { end - position }

    // MARK: Structs

    /// Reads one struct: `field` is called with each field's id and type and reads the value when it wants it
    /// (returning true); a field it leaves (returning false) is skipped.
    mutating func readStruct(
        _ field: (inout ThriftCompactReader, _ id: Int16, _ type: ValueType) throws(DecodingFailure) -> Bool
    ) throws(DecodingFailure) {
        try enter()
        defer { depth -= 1 }
        var lastID: Int16 = 0
        while true {
            let header = try readByte()
            if header == 0 { return }
            guard let type = ValueType(field: header & 0x0F) else {
                throw DecodingFailure("unknown Thrift field type \(header & 0x0F) at byte \(position - 1)")
            }
            let delta = Int16(header >> 4)
            let id: Int16
            if delta == 0 {
                let wide = try readZigzag()
                guard let narrow = Int16(exactly: wide) else { throw DecodingFailure("Thrift field id \(wide) out of range") }
                id = narrow
            } else {
                let (sum, overflow) = lastID.addingReportingOverflow(delta)
                guard !overflow else { throw DecodingFailure("Thrift field id out of range") }
                id = sum
            }
            lastID = id
            if try !field(&self, id, type) { try skip(type) }
        }
    }

    // MARK: Values

    /// An integer field of any width (byte, i16, i32, i64).
    mutating func readInteger(_ type: ValueType) throws(DecodingFailure) -> Int64 {
        switch type {
        case .byte: return Int64(Int8(bitPattern: try readByte()))
        case .i16, .i32, .i64: return try readZigzag()
        default: throw mismatch(type, expected: "an integer")
        }
    }

    /// An i32 (or narrower) field whose value must fit 32 bits.
    mutating func readInt32(_ type: ValueType) throws(DecodingFailure) -> Int32 {
        let value = try readInteger(type)
        guard let narrow = Int32(exactly: value) else { throw DecodingFailure("Thrift i32 value \(value) out of range") }
        return narrow
    }

    mutating func readBool(_ type: ValueType) throws(DecodingFailure) -> Bool {
        switch type {
        case .bool(let value): return value
        case .boolElement: return try readByte() == 1
        default: throw mismatch(type, expected: "a bool")
        }
    }

    mutating func readBinary(_ type: ValueType) throws(DecodingFailure) -> [UInt8] {
        guard type == .binary else { throw mismatch(type, expected: "a binary") }
        let count = try readLength(each: 1)
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// A binary field read as UTF-8 text (invalid sequences become U+FFFD, as names are only shown).
    mutating func readString(_ type: ValueType) throws(DecodingFailure) -> String {
        String(decoding: try readBinary(type), as: UTF8.self)
    }

    /// A list (or set): `element` is called once per element with the elements' type.
    mutating func readList(
        _ type: ValueType, _ element: (inout ThriftCompactReader, ValueType) throws(DecodingFailure) -> Void
    ) throws(DecodingFailure) {
        guard type == .list || type == .set else { throw mismatch(type, expected: "a list") }
        try enter()
        defer { depth -= 1 }
        let header = try readByte()
        guard let elementType = ValueType(element: header & 0x0F) else {
            throw DecodingFailure("unknown Thrift list element type \(header & 0x0F)")
        }
        // Every element takes at least one byte, so a size beyond the bytes left is refused before the loop.
        let count = header >> 4 == 15 ? try readLength(each: 1) : Int(header >> 4)
        guard count <= remaining else { throw DecodingFailure("Thrift list of \(count) elements in \(remaining) bytes") }
        for _ in 0..<count { try element(&self, elementType) }
    }

    /// Skips a value of `type`.
    mutating func skip(_ type: ValueType) throws(DecodingFailure) {
        switch type {
        case .bool: return
        case .boolElement, .byte: position += try consume(1)
        case .i16, .i32, .i64: _ = try readVarint()
        case .double: position += try consume(8)
        case .binary: position += try readLength(each: 1)
        case .list, .set: try readList(type) { (reader, element) throws(DecodingFailure) in try reader.skip(element) }
        case .map:
            try enter()
            defer { depth -= 1 }
            let count = try readLength(each: 2)
            guard count > 0 else { return }
            let types = try readByte()
            guard let key = ValueType(element: types >> 4), let value = ValueType(element: types & 0x0F) else {
                throw DecodingFailure("unknown Thrift map element types \(types)")
            }
            for _ in 0..<count {
                try skip(key)
                try skip(value)
            }
        case .structure: try readStruct { _, _, _ in false }
        }
    }

    // MARK: Primitives

    private mutating func enter() throws(DecodingFailure) {
        guard depth < Self.deepestNesting else { throw DecodingFailure("Thrift values nested more than \(Self.deepestNesting) deep") }
        depth += 1
    }

    private mutating func readByte() throws(DecodingFailure) -> UInt8 {
        guard position < end else { throw DecodingFailure("Thrift data ends early (at byte \(position))") }
        defer { position += 1 }
        return bytes[position]
    }

    /// Checks that `count` bytes are left and returns it (for the caller to advance by).
    private func consume(_ count: Int) throws(DecodingFailure) -> Int {
        guard count <= remaining else { throw DecodingFailure("Thrift data ends early (\(count) bytes needed at byte \(position), \(remaining) left)") }
        return count
    }

    /// A varint length of items of at least `each` bytes, checked against the bytes left.
    private mutating func readLength(each: Int) throws(DecodingFailure) -> Int {
        let value = try readVarint()
        guard value <= UInt64(remaining / each) else {
            throw DecodingFailure("Thrift length \(value) exceeds the \(remaining) bytes left")
        }
        return Int(value)
    }

    /// An unsigned LEB128 varint of at most 10 bytes (64 bits).
    private mutating func readVarint() throws(DecodingFailure) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            let byte = try readByte()
            if shift == 63, byte > 1 { throw DecodingFailure("Thrift varint exceeds 64 bits") }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw DecodingFailure("Thrift varint longer than 10 bytes")
    }

    private mutating func readZigzag() throws(DecodingFailure) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    private func mismatch(_ type: ValueType, expected: String) -> DecodingFailure {
        DecodingFailure("Thrift field of type \(type) where \(expected) was expected (before byte \(position))")
    }
}
