import Foundation

/// A parquet file as a `ColumnarTable`: top-level fields as columns, row groups as groups. Reading an image column
/// reads only its leaves (`image.bytes`, `image.path`) of that row group; a label column only its one leaf.
struct ParquetTable: ColumnarTable {
    let file: ParquetFile

    init(_ url: URL) throws(DatasetError) { file = try ParquetFile(url) }

    var url: URL { file.url }
    var kind: String { ParquetFile.kind }
    var groupNoun: String { "row group" }
    var groupRowCounts: [Int] { file.metadata.rowGroups.map { Int($0.rowCount) } }
    var huggingFaceMetadata: String? { file.metadata.keyValues["huggingface"] }

    var columns: [TableColumn] {
        file.schema.fields.map { TableColumn(name: $0.name, kind: Self.kind(of: $0, leaves: file.schema.leaves)) }
    }

    /// What a top-level field can hold: a struct with a non-repeated binary `bytes` leaf (and maybe a text `path`) is an
    /// encoded image; plain leaves are binary, text or integers.
    static func kind(of field: ParquetSchema.Field, leaves: [ParquetSchema.Leaf]) -> TableColumn.Kind {
        if field.repetition == .repeated { return .other("list") }
        guard let index = field.leaf else {
            let bytes = field.children.first { $0.name == "bytes" }
            let path = field.children.first { $0.name == "path" }
            if let bytes, bytes.repetition != .repeated, let leaf = bytes.leaf, leaves[leaf].physicalType == .byteArray,
               path.map({ $0.repetition != .repeated && $0.leaf.map { leaves[$0].physicalType == .byteArray } == true }) ?? true {
                return .encodedImage
            }
            return .other("struct")
        }
        let leaf = leaves[index]
        switch leaf.physicalType {
        case .byteArray: return leaf.isText ? .text : .binary
        case .int32, .int64: return .integer
        default: return .other(leaf.physicalType.description)
        }
    }

    func labels(column: String, group: Int) throws(DatasetError) -> LabelValues {
        guard let field = file.schema.field(named: column), let leaf = field.leaf else {
            throw DatasetError.unusableColumn(path: url.path, reason: "no label column '\(column)'")
        }
        let chunk = try file.columnChunk(leaf: leaf, group: group)
        let rows = chunk.valueIndices()
        switch chunk.values {
        case .integers(let values): return .integers(rows.map { $0.map { values[$0] } })
        case .byteArrays(let buffer, let ranges): return .strings(rows.map { $0.map { String(decoding: buffer[ranges[$0]], as: UTF8.self) } })
        }
    }

    func images(column: String, group: Int) throws(DatasetError) -> ImageCells {
        guard let field = file.schema.field(named: column) else {
            throw DatasetError.unusableColumn(path: url.path, reason: "no image column '\(column)'")
        }
        switch Self.kind(of: field, leaves: file.schema.leaves) {
        case .encodedImage:
            // `kind(of:)` found the `bytes` leaf; `path` is optional.
            let bytesLeaf = field.children.first { $0.name == "bytes" }?.leaf ?? 0
            let (buffer, bytes) = try binary(leaf: bytesLeaf, group: group)
            let paths = try field.children.first { $0.name == "path" }?.leaf.map { (leaf) throws(DatasetError) in try text(leaf: leaf, group: group) }
            return ImageCells(buffer: buffer, bytes: bytes, paths: paths)
        case .binary:
            let (buffer, bytes) = try binary(leaf: field.leaf ?? 0, group: group)
            return ImageCells(buffer: buffer, bytes: bytes, paths: nil)
        case .text:
            let paths = try text(leaf: field.leaf ?? 0, group: group)
            return ImageCells(buffer: [], bytes: paths.map { _ in nil }, paths: paths)
        case let other:
            throw DatasetError.unusableColumn(path: url.path, reason: "column '\(column)' holds \(other), not images")
        }
    }

    /// A byte-array leaf: its buffer and each row's range (nil for a null).
    private func binary(leaf: Int, group: Int) throws(DatasetError) -> ([UInt8], [Range<Int>?]) {
        let chunk = try file.columnChunk(leaf: leaf, group: group)
        guard case .byteArrays(let buffer, let ranges) = chunk.values else { return ([], chunk.valueIndices().map { _ in nil }) }
        return (buffer, chunk.valueIndices().map { $0.map { ranges[$0] } })
    }

    private func text(leaf: Int, group: Int) throws(DatasetError) -> [String?] {
        let (buffer, ranges) = try binary(leaf: leaf, group: group)
        return ranges.map { $0.map { String(decoding: buffer[$0], as: UTF8.self) } }
    }
}
