import Testing
@testable import Embeval

/// The Thrift compact protocol on hand-encoded bytes: field id deltas and the long form, zigzag varints, binaries,
/// bools in fields and lists, skipping of every type, and the refusals that keep hostile footers from trapping.
@Suite struct ThriftCompactReaderTests {
    /// { 1: i32 -3, 2: binary "ab", 20: i64 300 (long-form id), 21: true, 22: list<i32> [1, 2],
    ///   23: struct { 1: double 1.5 }, 24: map<i32, i32> {1: 2} }
    static let sample: [UInt8] = [
        0x15, 0x05,
        0x18, 0x02, 0x61, 0x62,
        0x06, 0x28, 0xD8, 0x04,
        0x11,
        0x19, 0x25, 0x02, 0x04,
        0x1C, 0x17, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x00,
        0x1B, 0x01, 0x55, 0x02, 0x04,
        0x00,
    ]

    @Test func readsFieldsByIdAndType() throws {
        var reader = ThriftCompactReader(Self.sample)
        var seen = [Int16]()
        var i32: Int32 = 0, text = "", i64: Int64 = 0, flag = false, list = [Int64]()
        try reader.readStruct { (r, id, type) throws(DecodingFailure) in
            seen.append(id)
            switch id {
            case 1: i32 = try r.readInt32(type)
            case 2: text = try r.readString(type)
            case 20: i64 = try r.readInteger(type)
            case 21: flag = try r.readBool(type)
            case 22: try r.readList(type) { (r, t) throws(DecodingFailure) in list.append(try r.readInteger(t)) }
            default: return false
            }
            return true
        }
        #expect(seen == [1, 2, 20, 21, 22, 23, 24])
        #expect(i32 == -3 && text == "ab" && i64 == 300 && flag && list == [1, 2])
        #expect(reader.remaining == 0)
    }

    @Test func skipsWhatItIsNotAskedFor() throws {
        var reader = ThriftCompactReader(Self.sample)
        try reader.readStruct { _, _, _ in false }
        #expect(reader.remaining == 0)
    }

    @Test func boolListElementsAreBytes() throws {
        // list<bool> [true, false, true]: elements 1 = true, anything else false.
        var reader = ThriftCompactReader([0x39, 0x31, 0x01, 0x02, 0x01, 0x00])
        var values = [Bool]()
        try reader.readStruct { (r, _, type) throws(DecodingFailure) in
            try r.readList(type) { (r, t) throws(DecodingFailure) in values.append(try r.readBool(t)) }
            return true
        }
        #expect(values == [true, false, true])
    }

    @Test(arguments: [
        ([0x15], "ends early"),                                   // an i32 without its value
        ([0x18, 0x05, 0x61], "exceeds"),                          // a 5-byte binary with 1 byte left
        ([0x19, 0xF5, 0xE8, 0x07, 0x00], "exceeds"),              // a list of 1000 i32 in 1 byte
        ([0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "varint"),
        ([0x1D], "unknown Thrift field type"),
        ([0x18, 0x02], "exceeds"),
    ] as [([UInt8], String)])
    func refusesHostileBytes(_ bytes: [UInt8], _ key: String) {
        var reader = ThriftCompactReader(bytes)
        #expect {
            try reader.readStruct { (r, _, type) throws(DecodingFailure) in try r.skip(type); return true }
        } throws: { error in
            "\(error)".contains(key)
        }
    }

    @Test func nestingIsBounded() {
        // 40 structs each opening the next as field 1, never closed.
        var reader = ThriftCompactReader([UInt8](repeating: 0x1C, count: 40))
        #expect {
            try reader.readStruct { _, _, _ in false }
        } throws: { error in
            "\(error)".contains("nested more than 32 deep")
        }
    }

    @Test func typeMismatchIsAnError() {
        var reader = ThriftCompactReader([0x18, 0x01, 0x61, 0x00])
        #expect(throws: DecodingFailure.self) {
            try reader.readStruct { (r, _, type) throws(DecodingFailure) in _ = try r.readInteger(type); return true }
        }
    }
}
