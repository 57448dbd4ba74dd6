import Foundation

/// A 128-bit fingerprint of content (a preprocessed input tensor, a file's bytes), for grouping exact copies.
/// Not cryptographic: it tells equal content from different content, not a forged collision from a copy.
public struct ContentDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    /// The digest of `values`' bit patterns (so −0 and 0 differ, as the bytes do).
    public init(_ values: [Float]) {
        self = values.withUnsafeBytes { Self(bytes: $0) }
    }

    /// The digest of raw bytes: four multiply–xorshift lanes over 8-byte words, then the tail and the length.
    public init(bytes: UnsafeRawBufferPointer) {
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344,
                                                       0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89)
        @inline(__always) func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
            var x = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            x ^= x >> 29
            return x
        }
        let words = bytes.count / 8
        var i = 0
        while i + 4 <= words {
            lanes.0 = mix(lanes.0, bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
            lanes.1 = mix(lanes.1, bytes.loadUnaligned(fromByteOffset: (i + 1) * 8, as: UInt64.self))
            lanes.2 = mix(lanes.2, bytes.loadUnaligned(fromByteOffset: (i + 2) * 8, as: UInt64.self))
            lanes.3 = mix(lanes.3, bytes.loadUnaligned(fromByteOffset: (i + 3) * 8, as: UInt64.self))
            i += 4
        }
        var tail: UInt64 = 0
        while i < words { lanes.0 = mix(lanes.0, bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)); i += 1 }
        for b in (words * 8)..<bytes.count { tail = tail << 8 | UInt64(bytes[b]) }
        lanes.1 = mix(lanes.1, tail)
        lanes.2 = mix(lanes.2, UInt64(bytes.count))
        high = Self.finish(lanes.0 &+ Self.finish(lanes.2 ^ lanes.3))
        low = Self.finish(lanes.1 &+ Self.finish(lanes.3 &+ lanes.0 &* 31))
    }

    /// The digest of a byte array.
    public init(bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { Self(bytes: $0) }
    }

    /// A 64-bit avalanche (every input bit moves about half the output bits).
    private static func finish(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public static func < (a: Self, b: Self) -> Bool { (a.high, a.low) < (b.high, b.low) }

    public var description: String { String(format: "%016llx%016llx", high, low) }
}
