import Foundation

/// An Arrow IPC file — the stream format `datasets.save_to_disk` writes (`data-00000-of-00001.arrow`), or the
/// random-access file format (`ARROW1` … `ARROW1`) — opened for reading: its schema read and every record batch
/// located when opened (message headers only: bodies are skipped over), then one batch's buffers read on demand.
///
/// A stream is a sequence of messages: an optional `0xFFFFFFFF` continuation marker, the 32-bit length of the
/// flatbuffer `Message`, the message, then its body of `bodyLength` bytes; a zero length ends the stream. The schema
/// comes first. Refused with a message: big-endian data, LZ4-compressed bodies, tensors.
struct ArrowFile: Sendable {
    static let kind = "Arrow file"

    /// A record batch: where its body is and its metadata (row count, field nodes, buffers).
    struct Batch: Sendable {
        var bodyStart: Int
        var bodyLength: Int
        var rowCount: Int
        /// Per field node in pre-order: (length, null count).
        var nodes: [(length: Int, nullCount: Int)]
        /// Per buffer: (offset in the body, length).
        var buffers: [(offset: Int, length: Int)]
        var variadicBufferCounts: [Int]
        /// Whether every buffer is compressed with Zstandard (an 8-byte uncompressed length before each).
        var isCompressed: Bool
    }

    let url: URL
    let schema: ArrowSchema
    let batches: [Batch]

    init(_ url: URL) throws(DatasetError) {
        let file = try ReadOnlyFile(url)
        func malformed(_ reason: String, at location: String? = nil) -> DatasetError {
            .malformed(kind: Self.kind, path: url.path, location: location, reason: reason)
        }
        var position = 0
        if file.size >= 8, try file.read(0..<6, "the leading magic") == Array("ARROW1".utf8) { position = 8 }
        var schema: ArrowSchema? = nil
        var batches = [Batch]()
        var index = 0
        while file.size - position >= 4 {
            let place = "message \(index) (byte \(position))"
            var length = try Self.int32(file.read(position..<(position + 4), place))
            position += 4
            if length == -1 {
                guard file.size - position >= 4 else { throw malformed("ends inside a message's length", at: place) }
                length = try Self.int32(file.read(position..<(position + 4), place))
                position += 4
            }
            if length == 0 { break }
            guard length > 0, length <= file.size - position else {
                throw malformed("declares a message of \(length) bytes with \(file.size - position) left (truncated?)", at: place)
            }
            let metadata = try file.read(position..<(position + length), place)
            position += length
            let message: Message
            do { message = try Message(metadata) } catch { throw malformed(error.reason, at: place) }
            guard message.bodyLength >= 0, message.bodyLength <= Int64(file.size - position) else {
                throw malformed("declares a body of \(message.bodyLength) bytes with \(file.size - position) left (truncated?)", at: place)
            }
            let bodyLength = Int(message.bodyLength)
            switch message.header {
            case .schema(let parsed):
                guard schema == nil else { throw malformed("holds a second schema", at: place) }
                schema = parsed
            case .recordBatch(var batch):
                guard schema != nil else { throw malformed("holds a record batch before the schema", at: place) }
                batch.bodyStart = position
                batch.bodyLength = bodyLength
                for buffer in batch.buffers where buffer.offset < 0 || buffer.length < 0 || buffer.offset > bodyLength - buffer.length {
                    throw malformed("has a buffer of \(buffer.length) bytes at offset \(buffer.offset), outside its \(bodyLength)-byte body", at: "record batch \(batches.count)")
                }
                batches.append(batch)
            case .dictionaryBatch:
                break   // only dictionary-encoded columns need it, and Embeval reads none
            case .other(let code):
                throw DatasetError.unsupported(kind: Self.kind, path: url.path, location: place, feature: "messages of type \(code) (tensors)")
            }
            position += bodyLength
            index += 1
        }
        guard let schema else { throw malformed("holds no schema (not an Arrow IPC file, or empty)") }
        var total = 0
        for batch in batches {
            guard case (let sum, false) = total.addingReportingOverflow(batch.rowCount) else { throw malformed("declares too many rows") }
            total = sum
        }
        // Each row of an image dataset takes bytes (as for parquet): more rows than bytes is refused up front.
        guard total <= file.size else { throw malformed("declares \(total) rows in a file of \(file.size) bytes") }
        self.url = url
        self.schema = schema
        self.batches = batches
    }

    /// The bytes of buffer `index` of batch `batch`, undone from Zstandard when the batch is compressed.
    func buffer(_ index: Int, of batch: Int, file: ReadOnlyFile) throws(DatasetError) -> [UInt8] {
        let info = batches[batch]
        guard index < info.buffers.count else {
            throw DatasetError.malformed(kind: Self.kind, path: url.path, location: "record batch \(batch)",
                                         reason: "has \(info.buffers.count) buffers, its schema needs more")
        }
        let (offset, length) = info.buffers[index]
        let raw = try file.read((info.bodyStart + offset)..<(info.bodyStart + offset + length), "record batch \(batch) buffer \(index)")
        guard info.isCompressed, length > 0 else { return raw }
        guard raw.count >= 8 else {
            throw DatasetError.malformed(kind: Self.kind, path: url.path, location: "record batch \(batch) buffer \(index)", reason: "a compressed buffer without its length")
        }
        let declared = raw.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
        if declared == -1 { return Array(raw[8...]) }
        do {
            return try raw.withBytes { (all: UnsafeRawBufferPointer) throws(DecodingFailure) in
                guard declared >= 0, declared <= Int64(Codec.largestOutput) else {
                    throw DecodingFailure("declares \(declared) uncompressed bytes")
                }
                return try Codec.zstd.decompress(UnsafeRawBufferPointer(rebasing: all[8...]), size: Int(declared))
            }
        } catch {
            throw DatasetError.malformed(kind: Self.kind, path: url.path, location: "record batch \(batch) buffer \(index)", reason: error.reason)
        }
    }

    private static func int32(_ bytes: [UInt8]) -> Int {
        Int(Int32(bitPattern: UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24))
    }
}

/// An IPC `Message` (Message.fbs): its header (schema, record batch, dictionary batch) and body length.
struct Message {
    enum Header {
        case schema(ArrowSchema)
        case recordBatch(ArrowFile.Batch)
        case dictionaryBatch
        case other(UInt8)
    }

    var header: Header
    var bodyLength: Int64

    init(_ bytes: [UInt8]) throws(DecodingFailure) {
        let message = try FlatBufferTable(root: bytes)
        bodyLength = try message.int64(3)
        let type = try message.uint8(1)
        guard let table = try message.table(2) else {
            throw DecodingFailure("a message without its header")
        }
        switch type {
        case 1: header = .schema(try ArrowSchema(table))
        case 2: header = .dictionaryBatch
        case 3: header = .recordBatch(try Self.recordBatch(table))
        default: header = .other(type)
        }
    }

    /// RecordBatch: length (0), nodes (1, 16-byte structs), buffers (2, 16-byte structs), compression (3),
    /// variadicBufferCounts (4).
    private static func recordBatch(_ table: FlatBufferTable) throws(DecodingFailure) -> ArrowFile.Batch {
        let length = try table.int64(0)
        guard length >= 0, let rows = Int(exactly: length) else { throw DecodingFailure("a record batch of \(length) rows") }
        let bytes = table.bytes
        func pairs(_ index: Int) throws(DecodingFailure) -> [(Int, Int)] {
            let (start, count) = try table.structs(index, size: 16)
            var items = [(Int, Int)]()
            items.reserveCapacity(count)
            for i in 0..<count {
                let first = Int64(bitPattern: try FlatBufferTable.uint64(bytes, at: start + 16 * i))
                let second = Int64(bitPattern: try FlatBufferTable.uint64(bytes, at: start + 16 * i + 8))
                guard let a = Int(exactly: first), let b = Int(exactly: second) else { throw DecodingFailure("a record batch entry out of range") }
                items.append((a, b))
            }
            return items
        }
        var compressed = false
        if let compression = try table.table(3) {
            guard try compression.uint8(0) == 1 else {
                throw DecodingFailure("the body is compressed with LZ4 (Embeval reads uncompressed and Zstandard-compressed Arrow files)")
            }
            compressed = true
        }
        let (start, count) = try table.structs(4, size: 8)
        var variadic = [Int]()
        for i in 0..<count {
            let value = Int64(bitPattern: try FlatBufferTable.uint64(bytes, at: start + 8 * i))
            guard value >= 0, let n = Int(exactly: value) else { throw DecodingFailure("a negative variadic buffer count") }
            variadic.append(n)
        }
        return ArrowFile.Batch(bodyStart: 0, bodyLength: 0, rowCount: rows,
                               nodes: try pairs(1).map { (length: $0.0, nullCount: $0.1) },
                               buffers: try pairs(2).map { (offset: $0.0, length: $0.1) },
                               variadicBufferCounts: variadic, isCompressed: compressed)
    }
}
