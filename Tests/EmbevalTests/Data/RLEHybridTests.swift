import Testing
@testable import Embeval

/// Parquet's RLE / bit-packed hybrid (levels and dictionary indices), against the format's own examples.
@Suite struct RLEHybridTests {
    func decode(_ bytes: [UInt8], width: Int, count: Int) throws(DecodingFailure) -> [UInt32] {
        try bytes.withBytes { (raw: UnsafeRawBufferPointer) throws(DecodingFailure) in try RLEHybrid.decode(raw, bitWidth: width, count: count) }
    }

    @Test func rleRunRepeatsItsValue() throws {
        #expect(try decode([0x0A, 0x03], width: 2, count: 5) == [3, 3, 3, 3, 3])
        #expect(try decode([0x0A, 0x03], width: 2, count: 3) == [3, 3, 3])   // a longer run, cut to the count
    }

    @Test func bitPackedGroupsUnpackLSBFirst() throws {
        // The spec's example: 0…7 at bit width 3 are the bytes 10001000 11000110 11111010.
        #expect(try decode([0x03, 0x88, 0xC6, 0xFA], width: 3, count: 8) == Array(0..<8))
        #expect(try decode([0x03, 0x88, 0xC6, 0xFA], width: 3, count: 6) == Array(0..<6))   // padding left unread
    }

    @Test func runsFollowEachOther() throws {
        // RLE 2×1, then one bit-packed group of 8 one-bit values 1,0,1,0,1,0,1,0 (0x55).
        #expect(try decode([0x04, 0x01, 0x03, 0x55], width: 1, count: 10) == [1, 1, 1, 0, 1, 0, 1, 0, 1, 0])
    }

    @Test func widthsZeroAndThirtyTwo() throws {
        #expect(try decode([0x08], width: 0, count: 4) == [0, 0, 0, 0])
        #expect(try decode([0x04, 0x78, 0x56, 0x34, 0x12], width: 32, count: 2) == [0x1234_5678, 0x1234_5678])
        #expect(RLEHybrid.bitWidth(forMaximum: 0) == 0)
        #expect(RLEHybrid.bitWidth(forMaximum: 1) == 1)
        #expect(RLEHybrid.bitWidth(forMaximum: 2) == 2)
        #expect(RLEHybrid.bitWidth(forMaximum: 7) == 3)
    }

    @Test(arguments: [
        ([UInt8](), 1, "ends after 0 of 4"),
        ([0x03, 0x88], 3, "ends early"),          // a group of 3 bytes with 1 left
        ([0x08, 0x05], 2, "wider than 2 bits"),   // RLE value 5 at width 2
        ([0x04], 8, "ends early"),                // RLE run without its value
    ] as [([UInt8], Int, String)])
    func shortOrInconsistentRunsAreErrors(_ bytes: [UInt8], _ width: Int, _ key: String) {
        #expect {
            try decode(bytes, width: width, count: 4)
        } throws: { error in
            "\(error)".contains(key)
        }
    }
}
