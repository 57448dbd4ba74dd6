/// The rows of a float matrix, readable a block at a time wherever they live: a `Matrix` in memory, or a `.npy`
/// file mapped into memory. The nearest-neighbour search reads its inputs through this, so a million reference
/// rows on disk never have to become one array.
public protocol RowBlocks: Sendable {
    var rows: Int { get }
    var columns: Int { get }
    /// Calls `body` with rows `range` (within `0..<rows`) as contiguous row-major floats.
    func withRows<Result>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result
}

extension Matrix: RowBlocks {
    public func withRows<Result>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try values.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[(range.lowerBound * columns)..<(range.upperBound * columns)])) }
    }
}

extension RowBlocks {
    /// The rows at `indices`, in that order, copied into memory.
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var out = [Float]()
        out.reserveCapacity(indices.count * columns)
        for i in indices { withRows(i..<(i + 1)) { out.append(contentsOf: $0) } }
        return Matrix(rows: indices.count, columns: columns, values: out)
    }

    /// Rows `range` as a row source of their own.
    public func slice(_ range: Range<Int>) -> any RowBlocks { RowSlice(base: self, range: range) }

    /// Every row, copied into memory.
    public func materialized() -> Matrix {
        var out = [Float]()
        out.reserveCapacity(rows * columns)
        let block = 4096
        for start in stride(from: 0, to: rows, by: block) { withRows(start..<min(start + block, rows)) { out.append(contentsOf: $0) } }
        return Matrix(rows: rows, columns: columns, values: out)
    }
}

/// Rows `range` of another row source, as a row source of their own (a shard of queries).
public struct RowSlice<Base: RowBlocks>: RowBlocks {
    public let base: Base
    public let range: Range<Int>

    public init(base: Base, range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= base.rows)
        self.base = base
        self.range = range
    }

    public var rows: Int { range.count }
    public var columns: Int { base.columns }

    public func withRows<Result>(_ rows: Range<Int>, _ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try base.withRows((range.lowerBound + rows.lowerBound)..<(range.lowerBound + rows.upperBound), body)
    }
}

/// Several row sources of one width, one after the other (the shards of one set): a block that crosses from one
/// part into the next is copied together; every other block is read in place.
public struct ConcatenatedRows: RowBlocks {
    public let parts: [any RowBlocks]
    public let columns: Int
    /// The first row of each part, and the total at the end.
    private let starts: [Int]

    public init(_ parts: [any RowBlocks]) {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.columns == parts[0].columns }, "ConcatenatedRows: parts of different widths")
        self.parts = parts
        columns = parts[0].columns
        var starts = [0]
        for part in parts { starts.append(starts[starts.count - 1] + part.rows) }
        self.starts = starts
    }

    public var rows: Int { starts[starts.count - 1] }

    public func withRows<Result>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        // The part holding the first row (the last part whose start is at or before it).
        var p = 0
        while p + 1 < parts.count && starts[p + 1] <= range.lowerBound { p += 1 }
        if range.upperBound <= starts[p + 1] || range.isEmpty {
            return try parts[p].withRows((range.lowerBound - starts[p])..<(range.upperBound - starts[p]), body)
        }
        var copy = [Float]()
        copy.reserveCapacity(range.count * columns)
        var row = range.lowerBound
        while row < range.upperBound {
            while starts[p + 1] <= row { p += 1 }
            let end = min(range.upperBound, starts[p + 1])
            parts[p].withRows((row - starts[p])..<(end - starts[p])) { copy.append(contentsOf: $0) }
            row = end
        }
        return try copy.withUnsafeBufferPointer(body)
    }
}
