/// A table of a flatbuffer — the encoding of Arrow IPC message metadata — read in place, with every offset checked.
///
/// A table starts with a signed 32-bit offset back to its vtable; the vtable holds its own size, the table's size,
/// then one 16-bit offset per field (0: absent, the default applies). Scalars are stored in the table; tables,
/// vectors and strings are reached through an unsigned 32-bit offset from where it is stored. A vector is a 32-bit
/// element count followed by the elements. Only what Arrow's Message, Schema and RecordBatch need is here.
struct FlatBufferTable {
    let bytes: [UInt8]
    /// Where the table starts.
    let position: Int
    private let vtable: Int
    private let vtableSize: Int

    /// The root table of a flatbuffer: the one the first 32-bit offset points to.
    init(root bytes: [UInt8]) throws(DecodingFailure) {
        let offset = try Self.uint32(bytes, at: 0)
        try self.init(bytes, at: offset)
    }

    init(_ bytes: [UInt8], at position: Int) throws(DecodingFailure) {
        let back = Int(Int32(bitPattern: UInt32(try Self.uint32(bytes, at: position))))
        let vtable = position - back
        guard vtable >= 0, vtable <= bytes.count - 4 else { throw DecodingFailure("a flatbuffer vtable lies outside the buffer") }
        let size = Int(try Self.uint16(bytes, at: vtable))
        guard size >= 4, size % 2 == 0, size <= bytes.count - vtable else { throw DecodingFailure("a flatbuffer vtable of \(size) bytes does not fit") }
        self.bytes = bytes
        self.position = position
        self.vtable = vtable
        vtableSize = size
    }

    /// Where field `index` is stored; nil when absent.
    func fieldPosition(_ index: Int) throws(DecodingFailure) -> Int? {
        let entry = 4 + 2 * index
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try Self.uint16(bytes, at: vtable + entry))
        return offset == 0 ? nil : position + offset
    }

    // MARK: Scalars

    func int64(_ index: Int, default value: Int64 = 0) throws(DecodingFailure) -> Int64 {
        guard let at = try fieldPosition(index) else { return value }
        return Int64(bitPattern: try Self.uint64(bytes, at: at))
    }

    func int32(_ index: Int, default value: Int32 = 0) throws(DecodingFailure) -> Int32 {
        guard let at = try fieldPosition(index) else { return value }
        return Int32(bitPattern: UInt32(try Self.uint32(bytes, at: at)))
    }

    func int16(_ index: Int, default value: Int16 = 0) throws(DecodingFailure) -> Int16 {
        guard let at = try fieldPosition(index) else { return value }
        return Int16(bitPattern: try Self.uint16(bytes, at: at))
    }

    func uint8(_ index: Int, default value: UInt8 = 0) throws(DecodingFailure) -> UInt8 {
        guard let at = try fieldPosition(index) else { return value }
        guard at < bytes.count else { throw DecodingFailure("a flatbuffer field lies outside the buffer") }
        return bytes[at]
    }

    func bool(_ index: Int, default value: Bool = false) throws(DecodingFailure) -> Bool {
        try uint8(index, default: value ? 1 : 0) != 0
    }

    // MARK: References

    /// The table field `index` refers to; nil when absent.
    func table(_ index: Int) throws(DecodingFailure) -> FlatBufferTable? {
        guard let at = try fieldPosition(index) else { return nil }
        return try FlatBufferTable(bytes, at: try Self.follow(bytes, at: at))
    }

    func string(_ index: Int) throws(DecodingFailure) -> String? {
        guard let at = try fieldPosition(index) else { return nil }
        let (start, count) = try Self.vector(bytes, at: try Self.follow(bytes, at: at), elementSize: 1)
        return String(decoding: bytes[start..<(start + count)], as: UTF8.self)
    }

    /// A vector of tables.
    func tables(_ index: Int) throws(DecodingFailure) -> [FlatBufferTable] {
        guard let at = try fieldPosition(index) else { return [] }
        let (start, count) = try Self.vector(bytes, at: try Self.follow(bytes, at: at), elementSize: 4)
        var tables = [FlatBufferTable]()
        tables.reserveCapacity(count)
        for i in 0..<count { tables.append(try FlatBufferTable(bytes, at: try Self.follow(bytes, at: start + 4 * i))) }
        return tables
    }

    /// A vector of structs of `size` bytes: where the first starts, and how many there are (checked to fit).
    func structs(_ index: Int, size: Int) throws(DecodingFailure) -> (start: Int, count: Int) {
        guard let at = try fieldPosition(index) else { return (0, 0) }
        return try Self.vector(bytes, at: try Self.follow(bytes, at: at), elementSize: size)
    }

    // MARK: Bytes

    static func uint16(_ bytes: [UInt8], at position: Int) throws(DecodingFailure) -> UInt16 {
        guard position >= 0, position <= bytes.count - 2 else { throw DecodingFailure("flatbuffer data ends early") }
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    static func uint32(_ bytes: [UInt8], at position: Int) throws(DecodingFailure) -> Int {
        guard position >= 0, position <= bytes.count - 4 else { throw DecodingFailure("flatbuffer data ends early") }
        return (0..<4).reduce(0) { $0 | Int(bytes[position + $1]) << (8 * $1) }
    }

    static func uint64(_ bytes: [UInt8], at position: Int) throws(DecodingFailure) -> UInt64 {
        guard position >= 0, position <= bytes.count - 8 else { throw DecodingFailure("flatbuffer data ends early") }
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[position + $1]) << UInt64(8 * $1) }
    }

    /// The position an unsigned offset stored at `position` points to.
    private static func follow(_ bytes: [UInt8], at position: Int) throws(DecodingFailure) -> Int {
        let target = position + (try uint32(bytes, at: position))
        guard target < bytes.count else { throw DecodingFailure("a flatbuffer offset points past the buffer") }
        return target
    }

    /// A vector at `position`: its first element and element count, checked to lie inside the buffer.
    private static func vector(_ bytes: [UInt8], at position: Int, elementSize: Int) throws(DecodingFailure) -> (Int, Int) {
        let count = try uint32(bytes, at: position)
        let start = position + 4
        guard count <= (bytes.count - start) / elementSize else {
            throw DecodingFailure("a flatbuffer vector of \(count) elements runs past the buffer")
        }
        return (start, count)
    }
}
