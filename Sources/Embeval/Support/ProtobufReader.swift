/// A minimal, bounds-checked reader of the protocol-buffers wire format: enough to read a SentencePiece model and
/// the graph of an ONNX model.
///
/// Reads one message's fields in order; unknown fields are skipped by their wire type. Every read is checked
/// against the buffer, so a truncated or corrupt file gives `ProtobufReader.Failure` instead of a crash.
struct ProtobufReader {
    /// Why a buffer is not a well-formed message.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The payload kinds of the wire format (the low three bits of a field key).
    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.init(bytes, range: 0..<bytes.count)
    }

    private init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws -> (number: Int, type: WireType)? {
        guard !isAtEnd else { return nil }
        let key = try readVarint()
        guard let type = WireType(rawValue: Int(key & 7)) else {
            throw Failure(description: "unknown wire type \(key & 7) at byte \(position)")
        }
        let number = key >> 3
        guard number > 0, number <= (1 << 29) else { throw Failure(description: "bad field number at byte \(position)") }
        return (Int(number), type)
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw Failure(description: "truncated varint") }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw Failure(description: "varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            guard shift <= 63 else { throw Failure(description: "varint longer than 10 bytes") }
        }
    }

    /// An `int32` field: a varint holding a two's-complement value (negative numbers take 10 bytes).
    mutating func readInt32() throws -> Int { Int(Int32(truncatingIfNeeded: Int64(bitPattern: try readVarint()))) }

    mutating func readBool() throws -> Bool { try readVarint() != 0 }

    mutating func readFixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw Failure(description: "truncated fixed32") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return value
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: try readFixed32()) }

    /// The bytes of a length-delimited field.
    mutating func readBytes() throws -> ArraySlice<UInt8> {
        let range = try readLengthDelimitedRange()
        return bytes[range]
    }

    /// A length-delimited field decoded as UTF-8 (invalid sequences become U+FFFD).
    mutating func readString() throws -> String { String(decoding: try readBytes(), as: UTF8.self) }

    /// A reader over an embedded message.
    mutating func readMessage() throws -> ProtobufReader {
        ProtobufReader(bytes, range: try readLengthDelimitedRange())
    }

    /// Skips a field's payload of the given wire type.
    mutating func skip(_ type: WireType) throws {
        switch type {
        case .varint: _ = try readVarint()
        case .fixed64:
            guard end - position >= 8 else { throw Failure(description: "truncated fixed64") }
            position += 8
        case .lengthDelimited: _ = try readLengthDelimitedRange()
        case .fixed32: _ = try readFixed32()
        case .startGroup, .endGroup: throw Failure(description: "groups are not supported")
        }
    }

    /// Where a length-delimited field's bytes lie in the buffer (to read them later without copying now).
    mutating func readByteRange() throws -> Range<Int> { try readLengthDelimitedRange() }

    private mutating func readLengthDelimitedRange() throws -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw Failure(description: "length \(length) runs past the end of the message")
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }
}
