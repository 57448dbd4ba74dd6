import Foundation

/// A float32 `.npy` matrix written a batch of rows at a time, for extractions too large to hold.
///
/// The file starts with a blank 128-byte header slot — not a valid `.npy`, so a file cut short never reads as
/// complete — and rows follow it as they come. `finish` writes the real header into the slot once the row count is
/// known. A `.npy` header of a 2-D float32 array is 128 bytes for any shape whose two numbers have at most 60 digits
/// together (every real one), so the finished file is byte for byte what `NumpyArray.write` writes for the same
/// rows. A writer reopened at a length a progress record holds continues where a killed run stopped.
final class NumpyRowWriter {
    static let headerSize = 128

    let url: URL
    let columns: Int
    /// What one row stands for in the header: `[columns]`, or a feature map's `[C, H, W]` (same element count).
    let rowShape: [Int]
    /// How values are stored: float32 (`<f4`), or float16 (`<f2`, `embed --dtype float16`).
    let storage: StoredFloat
    /// Bytes in the file: header slot and whole rows.
    private(set) var bytes: Int
    private let file: WritableFile

    /// Creates (or empties) the file with the blank header slot.
    init(creating url: URL, columns: Int, rowShape: [Int]? = nil, storage: StoredFloat = .float32) throws {
        self.url = url
        self.columns = columns
        self.storage = storage
        self.rowShape = rowShape.flatMap { $0.reduce(1, *) == columns ? $0 : nil } ?? [columns]
        file = try WritableFile(url, truncatingTo: 0)
        try file.append(Data(count: Self.headerSize))
        bytes = Self.headerSize
    }

    /// Reopens a file a killed run wrote, cut back to `bytes` (what its last progress record counted).
    init(continuing url: URL, columns: Int, bytes: Int, rowShape: [Int]? = nil, storage: StoredFloat = .float32) throws {
        guard bytes >= Self.headerSize, (bytes - Self.headerSize) % (storage.width * max(columns, 1)) == 0 else {
            throw EmbeddingError.malformedFile(path: url.path, location: nil, reason: "a progress record of \(bytes) bytes is not a whole number of \(columns)-wide rows")
        }
        self.url = url
        self.columns = columns
        self.storage = storage
        self.rowShape = rowShape.flatMap { $0.reduce(1, *) == columns ? $0 : nil } ?? [columns]
        file = try WritableFile(url, truncatingTo: bytes, mustHold: bytes)
        self.bytes = bytes
    }

    /// The first row holding NaN or ±Inf among the rows of a file a killed run wrote (its first `bytes`, or as many
    /// as it holds); nil when there is none or the file cannot be read. No run writes such a row — each batch is
    /// checked before it is appended — so one found was put there outside embeval. Read a megabyte at a time.
    static func nonFiniteRow(in url: URL, columns: Int, bytes: Int, storage: StoredFloat) throws -> Int? {
        guard let file = try? ReadOnlyFile(url), columns > 0 else { return nil }
        let width = storage.width, end = min(bytes, file.size), piece = (1 << 20) / width * width
        var offset = headerSize
        while offset + width <= end {
            let block = try file.read(at: offset, count: min(piece, (end - offset) / width * width))
            if let found = block.withUnsafeBytes(storage.firstNonFinite) { return ((offset - headerSize) / width + found) / columns }
            offset += block.count
        }
        return nil
    }

    /// Rows written so far.
    var rows: Int { (bytes - Self.headerSize) / (storage.width * max(columns, 1)) }

    /// Appends the rows of `matrix` (its width must be the file's).
    func append(_ matrix: Matrix) throws {
        guard matrix.columns == columns else {
            throw EmbeddingError.mismatchedSamples("'\(url.path)': rows of width \(matrix.columns) cannot follow rows of width \(columns)")
        }
        if storage == .float16, let big = matrix.values.first(where: { abs($0) > 65504 }) {
            throw EmbeddingError.invalidArgument("a value of \(big) in '\(url.lastPathComponent)' is beyond float16's range (±65504): write this set with --dtype float32")
        }
        let data = storage == .float32 ? matrix.values.withUnsafeBufferPointer { Data(buffer: $0) }
            : matrix.values.map { HalfFloat.halfBits(from: $0).littleEndian }.withUnsafeBufferPointer { Data(buffer: $0) }
        try file.append(data)
        bytes += data.count
    }

    /// Appends raw little-endian float32 rows (a merge copying another file's data).
    func append(rawRows data: Data) throws {
        guard data.count % (storage.width * columns) == 0 else {
            throw EmbeddingError.mismatchedSamples("'\(url.path)': \(data.count) bytes are not whole rows of width \(columns)")
        }
        try file.append(data)
        bytes += data.count
    }

    /// Makes what was written durable (before a progress record counts it).
    func sync() throws { try file.sync() }

    /// Writes the real header for the rows written, syncs and closes the file.
    func finish() throws {
        let header = NumpyArray.header(descr: storage.descr, shape: [rows] + rowShape)
        guard header.count == Self.headerSize else {
            throw OutputError.cannotWrite(path: url.path, reason: "a .npy header of \(header.count) bytes does not fit the \(Self.headerSize) reserved")
        }
        try file.write(header, at: 0)
        try file.sync()
        try file.close()
    }
}

/// How `embed` stores embedding values: float32, or float16 for large sets such as feature maps (half the bytes;
/// about three significant digits, values beyond ±65504 become infinite and are refused).
public enum StoredFloat: String, Codable, Sendable, CaseIterable {
    case float32, float16

    /// The `.npy` type string.
    var descr: String { self == .float32 ? "<f4" : "<f2" }
    /// Bytes per value.
    var width: Int { self == .float32 ? 4 : 2 }

    /// The index of the first NaN or ±Inf among the little-endian values stored in `bytes`, if any: the values whose
    /// exponent bits are all set (bits 23–30 of a float32, 10–14 of a float16), read from each value's high bytes.
    func firstNonFinite(in bytes: UnsafeRawBufferPointer) -> Int? {
        let high = stride(from: width - 1, to: bytes.count, by: width)
        let found = self == .float32
            ? high.first { bytes[$0] & 0x7f == 0x7f && bytes[$0 - 1] & 0x80 == 0x80 }
            : high.first { bytes[$0] & 0x7c == 0x7c }
        return found.map { $0 / width }
    }
}
