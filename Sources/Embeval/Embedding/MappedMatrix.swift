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
