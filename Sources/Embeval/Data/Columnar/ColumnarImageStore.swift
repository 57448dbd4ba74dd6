import Foundation

/// The images of one split held in columnar files (parquet shards, Arrow files), read on demand: image `i` is row `i`
/// of the split, found in its file and group; the group's image column is read once and kept in a small cache while
/// the batches that need it are prepared, so memory stays at a few groups whatever the dataset's size.
///
/// A cell holding a path instead of bytes (Hugging Face's Image feature with `bytes` null) names an image file
/// relative to the table file's folder; a cell holding neither is a bad image (`ImageError`, skippable with
/// `--on-bad-image skip`). A table that cannot be decoded is a `DatasetError`, which always stops the run.
struct ColumnarImageStore: EncodedImageStore {
    let tables: [any ColumnarTable]
    let column: String
    /// Per group of every table in order: the table, the group, and the split row it starts at.
    private let groups: [(table: Int, group: Int, start: Int)]
    private let rowCount: Int
    private let cache = GroupCache<ImageCells>()

    init(tables: [any ColumnarTable], column: String) {
        self.tables = tables
        self.column = column
        var groups = [(table: Int, group: Int, start: Int)](), start = 0
        for (t, table) in tables.enumerated() {
            for (g, rows) in table.groupRowCounts.enumerated() {
                groups.append((t, g, start))
                start += rows
            }
        }
        self.groups = groups
        rowCount = start
    }

    func bytes(at index: Int) throws -> [UInt8] {
        let (slot, row) = try locate(index)
        let (t, g, _) = groups[slot]
        let table = tables[t]
        let cells = try cache.value(for: slot) { try table.images(column: column, group: g) }
        guard row < cells.cells.count else {
            throw DatasetError.malformed(kind: table.kind, path: table.url.path, location: table.place(group: g, column: column),
                                         reason: "holds \(cells.cells.count) image cells for its \(table.groupRowCounts[g]) rows")
        }
        switch cells.cells[row] {
        case .bytes(let range):
            return Array(cells.buffer[range])
        case .path(let path):
            // Only a regular file is read (a path naming /dev/zero or a FIFO would never end).
            let file = path.hasPrefix("/") ? URL(fileURLWithPath: path) : table.url.deletingLastPathComponent().appendingPathComponent(path)
            do {
                let image = try ReadOnlyFile(file)
                if let refusal = ImageLimits.sizeRefusal(path: file.path, size: image.size) {
                    throw ImageError(path: file.path, reason: "\(refusal.reason) (named by \(location(of: index)))")
                }
                return try image.read(0..<image.size, "the image")
            } catch DatasetError.unreadable(_, let reason) {
                throw ImageError(path: file.path, reason: "\(reason) (named by \(location(of: index)))")
            }
        case .missing:
            throw ImageError(path: location(of: index), reason: "the image column holds neither bytes nor a path")
        }
    }

    /// `/data/test-00000-of-00003.parquet (row group 0, column 'image', row 17)`; the row counts within the file.
    func location(of index: Int) -> String {
        guard let (slot, row) = try? locate(index) else { return "row \(index)" }
        let (t, g, start) = groups[slot]
        let fileStart = groups.first { $0.table == t }?.start ?? 0
        return "\(tables[t].url.path) (\(tables[t].place(group: g, column: column, row: start - fileStart + row)))"
    }

    /// The group slot holding split row `index`, and the row within that group.
    private func locate(_ index: Int) throws -> (slot: Int, row: Int) {
        guard index >= 0, index < rowCount else { throw DatasetError.malformed(kind: nil, path: tables.first?.url.path ?? "", location: nil, reason: "no row \(index) in \(rowCount)") }
        // The last group starting at or before `index` (groups of 0 rows share a start with the next one).
        var low = 0, high = groups.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if groups[mid].start <= index { low = mid } else { high = mid - 1 }
        }
        return (low, index - groups[low].start)
    }
}
