/// Parquet's RLE / bit-packed hybrid encoding, used for definition and repetition levels and for dictionary indices.
///
/// A sequence of runs, each led by a ULEB128 header: an even header `2n` is an RLE run — one value, stored
/// little-endian in ⌈bitWidth / 8⌉ bytes, repeated n times; an odd header `2n + 1` is n groups of 8 values bit-packed
/// LSB first, bitWidth · n bytes. The last group may be padded past the values the page holds.
enum RLEHybrid {
    /// The first `count` values of the runs in `bytes`; fewer runs than that is a `DecodingFailure`. `count` is the
    /// caller's checked bound (a page's value count), so a run claiming more values never allocates more.
    static func decode(_ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int) throws(DecodingFailure) -> [UInt32] {
        guard (0...32).contains(bitWidth) else { throw DecodingFailure("bit width \(bitWidth) outside 0…32") }
        guard count > 0 else { return [] }
        var output = [UInt32]()
        output.reserveCapacity(count)
        var position = 0
        let valueBytes = (bitWidth + 7) / 8
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
        while output.count < count {
            guard position < bytes.count else {
                throw DecodingFailure("RLE/bit-packed data ends after \(output.count) of \(count) values")
            }
            let header = try varint(bytes, &position)
            let runs = Int(truncatingIfNeeded: min(header >> 1, UInt64(Int32.max)))
            if header & 1 == 0 {
                guard valueBytes <= bytes.count - position else { throw DecodingFailure("an RLE run ends early") }
                var value: UInt32 = 0
                for i in 0..<valueBytes { value |= UInt32(bytes[position + i]) << UInt32(8 * i) }
                position += valueBytes
                guard UInt64(value) <= mask else { throw DecodingFailure("an RLE value \(value) wider than \(bitWidth) bits") }
                let take = min(runs, count - output.count)
                output.append(contentsOf: repeatElement(value, count: take))
            } else {
                // n groups of 8 values take bitWidth · n bytes; the values past `count` are padding.
                let (groupBytes, overflow) = runs.multipliedReportingOverflow(by: bitWidth)
                guard !overflow, groupBytes <= bytes.count - position else {
                    throw DecodingFailure("a bit-packed run of \(runs) groups ends early")
                }
                let take = min(runs * 8, count - output.count)
                unpack(bytes, from: position, bitWidth: bitWidth, mask: mask, count: take, into: &output)
                position += groupBytes
            }
        }
        return output
    }

    /// The bit width of levels up to `maximum` (⌈log2(maximum + 1)⌉; 0 for 0).
    static func bitWidth(forMaximum maximum: Int) -> Int {
        maximum <= 0 ? 0 : Int.bitWidth - maximum.leadingZeroBitCount
    }

    private static func unpack(_ bytes: UnsafeRawBufferPointer, from start: Int, bitWidth: Int, mask: UInt64,
                               count: Int, into output: inout [UInt32]) {
        guard bitWidth > 0 else {
            output.append(contentsOf: repeatElement(0, count: count))
            return
        }
        var bit = 0
        for _ in 0..<count {
            // The value's bits start in byte bit/8 and span at most 5 bytes (32 bits plus a 7-bit offset).
            let first = start + bit >> 3
            var window: UInt64 = 0
            for i in 0..<min(5, bytes.count - first) { window |= UInt64(bytes[first + i]) << UInt64(8 * i) }
            output.append(UInt32((window >> UInt64(bit & 7)) & mask))
            bit += bitWidth
        }
    }

    private static func varint(_ bytes: UnsafeRawBufferPointer, _ position: inout Int) throws(DecodingFailure) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard position < bytes.count else { throw DecodingFailure("a run header ends early") }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw DecodingFailure("a run header longer than 9 bytes")
    }
}
