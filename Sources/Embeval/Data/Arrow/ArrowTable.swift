import Foundation

/// An Arrow IPC file as a `ColumnarTable`: top-level fields as columns, record batches as groups. Reading a column of
/// a batch reads only that column's buffers (validity bitmaps, offsets, data) from the batch's body.
struct ArrowTable: ColumnarTable {
    let file: ArrowFile

    init(_ url: URL) throws(DatasetError) { file = try ArrowFile(url) }

    var url: URL { file.url }
    var kind: String { ArrowFile.kind }
    var groupNoun: String { "record batch" }
    var groupRowCounts: [Int] { file.batches.map(\.rowCount) }
    var huggingFaceMetadata: String? { file.schema.metadata["huggingface"] }
    var columns: [TableColumn] { file.schema.fields.map { TableColumn(name: $0.name, kind: Self.kind(of: $0)) } }

    static func kind(of field: ArrowSchema.Field) -> TableColumn.Kind {
        if field.isDictionaryEncoded { return .other("dictionary") }
        switch field.type {
        case .structure:
            let bytes = field.children.first { $0.name == "bytes" }
            let path = field.children.first { $0.name == "path" }
            if let bytes, !bytes.isDictionaryEncoded, [.binary, .largeBinary].contains(bytes.type),
               path.map({ !$0.isDictionaryEncoded && [.utf8, .largeUtf8].contains($0.type) }) ?? true {
                return .encodedImage
            }
            return .other("struct")
        case .binary, .largeBinary: return .binary
        case .utf8, .largeUtf8: return .text
        case .int: return .integer
        case let other: return .other(other.description)
        }
    }

    func labels(column: String, group: Int) throws(DatasetError) -> LabelValues {
        let reader = try BatchReader(file, batch: group)
        guard let field = file.schema.fields.first(where: { $0.name == column }) else {
            throw DatasetError.unusableColumn(path: url.path, reason: "no label column '\(column)'")
        }
        let slot = try reader.slot([column])
        switch field.type {
        case .int(let width, let signed):
            return .integers(try reader.integers(slot, width: width, signed: signed, rows: reader.rows, what: column))
        case .utf8, .largeUtf8:
            let (buffer, ranges) = try reader.binary(slot, large: field.type == .largeUtf8, rows: reader.rows, what: column)
            return .strings(ranges.map { $0.map { String(decoding: buffer[$0], as: UTF8.self) } })
        default:
            throw DatasetError.unusableColumn(path: url.path, reason: "label column '\(column)' holds \(field.type), not integers or strings")
        }
    }

    func images(column: String, group: Int) throws(DatasetError) -> ImageCells {
        let reader = try BatchReader(file, batch: group)
        guard let field = file.schema.fields.first(where: { $0.name == column }) else {
            throw DatasetError.unusableColumn(path: url.path, reason: "no image column '\(column)'")
        }
        let rows = reader.rows
        switch Self.kind(of: field) {
        case .encodedImage:
            let valid = try reader.validity(reader.slot([column]), rows: rows, what: column)
            let bytesField = field.children.first { $0.name == "bytes" }
            let (buffer, firstBytes) = try reader.binary(reader.slot([column, "bytes"]), large: bytesField?.type == .largeBinary, rows: rows, what: "\(column).bytes")
            var bytes = firstBytes
            var paths: [String?]? = nil
            if let pathField = field.children.first(where: { $0.name == "path" }) {
                let (pathBuffer, ranges) = try reader.binary(reader.slot([column, "path"]), large: pathField.type == .largeUtf8, rows: rows, what: "\(column).path")
                paths = ranges.map { $0.map { String(decoding: pathBuffer[$0], as: UTF8.self) } }
            }
            if let valid {
                // A null struct has no image, whatever its children hold.
                for row in 0..<rows where !valid[row] {
                    bytes[row] = nil
                    paths?[row] = nil
                }
            }
            return ImageCells(buffer: buffer, bytes: bytes, paths: paths)
        case .binary:
            let (buffer, bytes) = try reader.binary(reader.slot([column]), large: field.type == .largeBinary, rows: rows, what: column)
            return ImageCells(buffer: buffer, bytes: bytes, paths: nil)
        case .text:
            let (buffer, ranges) = try reader.binary(reader.slot([column]), large: field.type == .largeUtf8, rows: rows, what: column)
            let paths = ranges.map { $0.map { String(decoding: buffer[$0], as: UTF8.self) } }
            return ImageCells(buffer: [], bytes: paths.map { _ in nil }, paths: paths)
        case let other:
            throw DatasetError.unusableColumn(path: url.path, reason: "column '\(column)' holds \(other), not images")
        }
    }
}

/// Reads the arrays of one record batch: where each field's node and buffers are (fields flattened depth first,
/// as the batch lists them), then validity bitmaps, offsets and values, each checked against its buffer's length.
private struct BatchReader {
    struct Slot { var node: Int; var buffer: Int }

    let file: ArrowFile
    let batch: Int
    let rows: Int
    private let disk: ReadOnlyFile
    private let slots: [[String]: Slot]

    init(_ file: ArrowFile, batch: Int) throws(DatasetError) {
        self.file = file
        self.batch = batch
        rows = file.batches[batch].rowCount
        disk = try ReadOnlyFile(file.url)
        var slots = [[String]: Slot]()
        var node = 0, buffer = 0, variadic = 0
        let counts = file.batches[batch].variadicBufferCounts
        func walk(_ field: ArrowSchema.Field, path: [String]) throws(DatasetError) {
            slots[path] = Slot(node: node, buffer: buffer)
            node += 1
            if field.isDictionaryEncoded { buffer += 2; return }   // the indices; the values are in a dictionary batch
            guard let fixed = field.type.fixedBufferCount else {
                throw DatasetError.unsupported(kind: ArrowFile.kind, path: file.url.path, location: "field '\(path.joined(separator: "."))'", feature: "arrays of type \(field.type)")
            }
            buffer += fixed
            if case .view = field.type {
                guard variadic < counts.count else {
                    throw DatasetError.malformed(kind: ArrowFile.kind, path: file.url.path, location: "record batch \(batch)", reason: "lacks the variadic buffer count of '\(path.joined(separator: "."))'")
                }
                buffer += counts[variadic]
                variadic += 1
            }
            for child in field.children { try walk(child, path: path + [child.name]) }
        }
        for field in file.schema.fields { try walk(field, path: [field.name]) }
        self.slots = slots
    }

    func slot(_ path: [String]) throws(DatasetError) -> Slot {
        guard let slot = slots[path], slot.node < file.batches[batch].nodes.count else {
            throw malformed("has no field node for '\(path.joined(separator: "."))'")
        }
        return slot
    }

    /// Which of the first `rows` slots are valid; nil when all are (no nulls).
    func validity(_ slot: Slot, rows: Int, what: String) throws(DatasetError) -> [Bool]? {
        let node = file.batches[batch].nodes[slot.node]
        guard node.length >= rows else { throw malformed("column '\(what)' holds \(node.length) values for \(rows) rows") }
        guard node.nullCount > 0 else { return nil }
        let bitmap = try file.buffer(slot.buffer, of: batch, file: disk)
        guard bitmap.count >= (rows + 7) / 8 else { throw malformed("column '\(what)' has a validity bitmap of \(bitmap.count) bytes for \(rows) rows") }
        return (0..<rows).map { bitmap[$0 >> 3] & (1 << UInt8($0 & 7)) != 0 }
    }

    /// A binary or string array: its data buffer and each row's range in it (nil for a null).
    func binary(_ slot: Slot, large: Bool, rows: Int, what: String) throws(DatasetError) -> ([UInt8], [Range<Int>?]) {
        let valid = try validity(slot, rows: rows, what: what)
        let offsets = try file.buffer(slot.buffer + 1, of: batch, file: disk)
        let data = try file.buffer(slot.buffer + 2, of: batch, file: disk)
        let width = large ? 8 : 4
        guard rows == 0 || offsets.count / width >= rows + 1 else {
            throw malformed("column '\(what)' has \(offsets.count) offset bytes for \(rows) rows")
        }
        var ranges = [Range<Int>?]()
        ranges.reserveCapacity(rows)
        try offsets.withBytes { (raw: UnsafeRawBufferPointer) throws(DatasetError) in
            func offset(_ i: Int) -> Int {
                large ? Int(truncatingIfNeeded: Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                      : Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
            }
            for row in 0..<rows {
                let start = offset(row), end = offset(row + 1)
                guard start >= 0, start <= end, end <= data.count else {
                    throw malformed("column '\(what)' row \(row) has offsets \(start)…\(end) outside its \(data.count) data bytes")
                }
                ranges.append(valid.map { $0[row] } ?? true ? start..<end : nil)
            }
        }
        return (data, ranges)
    }

    /// An integer array widened to Int64 (nil for a null); an unsigned 64-bit value above Int64.max is refused.
    func integers(_ slot: Slot, width: Int, signed: Bool, rows: Int, what: String) throws(DatasetError) -> [Int64?] {
        let valid = try validity(slot, rows: rows, what: what)
        let data = try file.buffer(slot.buffer + 1, of: batch, file: disk)
        let size = width / 8
        guard data.count / size >= rows else { throw malformed("column '\(what)' has \(data.count) bytes for \(rows) \(width)-bit values") }
        var values = [Int64?]()
        values.reserveCapacity(rows)
        for row in 0..<rows {
            if let valid, !valid[row] { values.append(nil); continue }
            var raw: UInt64 = 0
            for i in 0..<size { raw |= UInt64(data[row * size + i]) << UInt64(8 * i) }
            if signed {
                let shift = UInt64(64 - width)
                values.append(Int64(bitPattern: raw << shift) >> Int64(shift))
            } else {
                guard raw <= UInt64(Int64.max) else { throw malformed("column '\(what)' row \(row) holds \(raw), beyond 64-bit signed integers") }
                values.append(Int64(raw))
            }
        }
        return values
    }

    private func malformed(_ reason: String) -> DatasetError {
        .malformed(kind: ArrowFile.kind, path: file.url.path, location: "record batch \(batch)", reason: reason)
    }
}
