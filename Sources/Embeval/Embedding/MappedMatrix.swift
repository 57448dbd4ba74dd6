import Foundation

/// A float32, little-endian, C-order `.npy` matrix read in place from the mapped file: rows without a copy, for
/// embedding sets larger than memory is happy to hold twice (a million 384-dimensional rows are 1.5 GB).
public struct MappedMatrix: RowBlocks {
    public let rows: Int
    public let columns: Int
    let file: MappedFile
    /// Where the data begins in the file.
    let offset: Int

    /// The file as a mapped matrix; nil when it is not one this can map (another dtype, a big-endian or Fortran
    /// array, a 0- or 3-D one, data too short or not 4-byte aligned): such files are read as before, which refuses
    /// or converts them with the usual messages.
    static func open(_ url: URL) throws -> MappedMatrix? {
        let file = try MappedFile(url)
        guard let (header, offset) = try? NumpyArray.parsePrefix(file.prefix(1 << 16), file: url),
              ["<f4", "=f4"].contains(header.descr), header.shape.count == 2 || header.shape.count == 1, offset % 4 == 0 else { return nil }
        let rows = header.shape[0], columns = header.shape.count == 2 ? header.shape[1] : 1
        guard rows >= 1, columns >= 1 else { return nil }
        let (elements, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, elements <= (file.size - offset) / 4 else { return nil }
        return MappedMatrix(rows: rows, columns: columns, file: file, offset: offset)
    }

    public func withRows<Result>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        let stride = columns * 4
        return try file.withBytes((offset + range.lowerBound * stride)..<(offset + range.upperBound * stride)) { raw in
            try body(raw.bindMemory(to: Float.self))
        }
    }
}

/// The same matrix read through pread(2) a block at a time into a small buffer, for one pass over a set just
/// written (the health check after `embed`): unlike mapped pages, nothing read stays in the process's memory.
struct ReadMatrix: RowBlocks {
    let rows: Int
    let columns: Int
    let url: URL
    let offset: Int

    /// The rows of a mapped-kind file (`MappedMatrix.open` decides what qualifies).
    init?(_ url: URL) throws {
        guard let mapped = try MappedMatrix.open(url) else { return nil }
        rows = mapped.rows
        columns = mapped.columns
        offset = mapped.offset
        self.url = url
    }

    func withRows<Result>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        var values = [Float](repeating: 0, count: range.count * columns)
        let complete: Bool = values.withUnsafeMutableBytes { buffer in
            guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
            defer { try? handle.close() }
            guard (try? handle.seek(toOffset: UInt64(offset + range.lowerBound * columns * 4))) != nil,
                  let data = try? handle.read(upToCount: buffer.count), data.count == buffer.count else { return false }
            data.copyBytes(to: buffer)
            return true
        }
        // The file was checked against its header when opened; one that shrank since reads as NaN rows, which the
        // health check then reports by id instead of trusting them.
        if !complete { values = [Float](repeating: .nan, count: values.count) }
        return try values.withUnsafeBufferPointer(body)
    }
}
