import CSnappy
import CZlib
import CZstd

/// A compression codec of columnar files (parquet pages, Arrow IPC buffers), undone through the system's libraries:
/// Debian's libsnappy, libzstd and zlib — the ones pyarrow's wheels statically bundle builds of.
enum Codec: Equatable, Sendable, CustomStringConvertible {
    case uncompressed, snappy, gzip, zstd

    var description: String {
        switch self {
        case .uncompressed: "UNCOMPRESSED"
        case .snappy: "SNAPPY"
        case .gzip: "GZIP"
        case .zstd: "ZSTD"
        }
    }

    /// The most bytes one page or buffer may expand to: a parquet page is about 1 MiB by default, and a single image
    /// value makes a page as large as itself. A declared size above this is refused before anything is allocated.
    static let largestOutput = 256 << 20

    /// `input` decompressed to exactly `size` bytes (the size the page header or buffer prefix declares). A stream that
    /// gives more or fewer bytes than declared, or that the library rejects, is a `DecodingFailure`.
    func decompress(_ input: UnsafeRawBufferPointer, size: Int) throws(DecodingFailure) -> [UInt8] {
        guard size >= 0, size <= Self.largestOutput else {
            throw DecodingFailure("declares \(size) uncompressed bytes (at most \(Self.largestOutput) are read)")
        }
        switch self {
        case .uncompressed:
            guard input.count == size else {
                throw DecodingFailure("holds \(input.count) bytes where its header declares \(size)")
            }
            return Array(input.bindMemory(to: UInt8.self))
        case .snappy: return try Self.snappy(input, size: size)
        case .gzip: return try Self.gzip(input, size: size)
        case .zstd: return try Self.zstd(input, size: size)
        }
    }

    private static func snappy(_ input: UnsafeRawBufferPointer, size: Int) throws(DecodingFailure) -> [UInt8] {
        let source = input.baseAddress?.assumingMemoryBound(to: CChar.self)
        var declared = 0
        guard let source, snappy_uncompressed_length(source, input.count, &declared) == SNAPPY_OK else {
            throw DecodingFailure("is not valid Snappy data")
        }
        guard declared == size else {
            throw DecodingFailure("Snappy data of \(declared) bytes where the header declares \(size)")
        }
        // The whole stream is checked before its output is allocated.
        guard snappy_validate_compressed_buffer(source, input.count) == SNAPPY_OK else { throw DecodingFailure("is corrupt Snappy data") }
        var output = [UInt8](repeating: 0, count: size)
        var written = size
        let status = output.withUnsafeMutableBytes { out in
            snappy_uncompress(source, input.count, out.baseAddress?.assumingMemoryBound(to: CChar.self), &written)
        }
        guard status == SNAPPY_OK, written == size else { throw DecodingFailure("is corrupt Snappy data") }
        return output
    }

    private static func zstd(_ input: UnsafeRawBufferPointer, size: Int) throws(DecodingFailure) -> [UInt8] {
        guard let source = input.baseAddress else { throw DecodingFailure("is empty where Zstandard data was expected") }
        let declared = embeval_zstd_declared_size(source, input.count)
        guard declared != -2 else { throw DecodingFailure("is not Zstandard data") }
        if declared >= 0, declared != size {
            throw DecodingFailure("Zstandard frame of \(declared) bytes where the header declares \(size)")
        }
        // Zstandard expands at most about 32,768-fold (a 4-byte RLE block gives 128 KiB): more is refused unallocated.
        guard size <= input.count * 32_768 + (1 << 17) else {
            throw DecodingFailure("\(input.count) Zstandard bytes cannot hold the \(size) the header declares")
        }
        var output = [UInt8](repeating: 0, count: size)
        var message: UnsafePointer<CChar>? = nil
        let written = output.withUnsafeMutableBytes { out in
            embeval_zstd_decompress(out.baseAddress, out.count, source, input.count, &message)
        }
        guard written >= 0 else { throw DecodingFailure("is corrupt Zstandard data (\(message.map { String(cString: $0) } ?? "unknown error"))") }
        guard written == size else { throw DecodingFailure("Zstandard data of \(written) bytes where the header declares \(size)") }
        return output
    }

    /// GZIP pages as pyarrow writes them (gzip framing); zlib framing is accepted too (windowBits 15 + 32).
    private static func gzip(_ input: UnsafeRawBufferPointer, size: Int) throws(DecodingFailure) -> [UInt8] {
        guard let base = input.baseAddress, input.count <= Int(UInt32.max) else { throw DecodingFailure("is not gzip data") }
        // Deflate expands at most 1,032-fold: more is refused before anything is allocated.
        guard size <= input.count * 1032 + 1024 else {
            throw DecodingFailure("\(input.count) gzip bytes cannot hold the \(size) the header declares")
        }
        var output = [UInt8](repeating: 0, count: size)
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DecodingFailure("cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        // One extra byte of room tells a stream that is longer than declared from one that fits exactly.
        var spare: UInt8 = 0
        let status: Int32 = output.withUnsafeMutableBytes { out in
            stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = UInt32(input.count)
            stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(out.count)
            var status = inflate(&stream, Z_FINISH)
            if status == Z_BUF_ERROR || (status == Z_OK && stream.avail_out == 0) {
                withUnsafeMutablePointer(to: &spare) { extra in
                    stream.next_out = extra
                    stream.avail_out = 1
                    status = inflate(&stream, Z_FINISH)
                }
            }
            return status
        }
        guard status == Z_STREAM_END else {
            let message = stream.msg.map { String(cString: $0) } ?? "truncated or longer than declared"
            throw DecodingFailure("is corrupt gzip data (\(message))")
        }
        guard Int(stream.total_out) == size else {
            throw DecodingFailure("gzip data of \(stream.total_out) bytes where the header declares \(size)")
        }
        return output
    }
}

/// Why bytes of a binary container (Thrift, flatbuffers, pages, buffers) cannot be decoded; the file readers add the
/// file and the place (`row group 2, column 'image.bytes'`) when they turn it into a `DatasetError`.
struct DecodingFailure: Error, Equatable, CustomStringConvertible {
    var reason: String
    init(_ reason: String) { self.reason = reason }
    var description: String { reason }
}
