import Foundation

/// A file of rows stored column by column and read one group of rows at a time: a parquet file (row groups) or an
/// Arrow IPC file (record batches). Hugging Face datasets come as either; `HuggingFaceDataset` reads both through
/// this, asking only for the image and label columns.
protocol ColumnarTable: Sendable {
    var url: URL { get }
    /// The file's kind for messages: `parquet file`, `Arrow file`.
    var kind: String { get }
    /// What a group is called in messages: `row group`, `record batch`.
    var groupNoun: String { get }
    /// The rows of each group, in file order.
    var groupRowCounts: [Int] { get }
    /// The top-level columns.
    var columns: [TableColumn] { get }
    /// The JSON under the `huggingface` metadata key (the `datasets` features), when the file has it.
    var huggingFaceMetadata: String? { get }

    /// The values of a label column (`integer` or `text`) in group `group`; nil for a null.
    func labels(column: String, group: Int) throws(DatasetError) -> LabelValues
    /// The cells of an image column (`encodedImage`, `binary` or `text`) in group `group`.
    func images(column: String, group: Int) throws(DatasetError) -> ImageCells
}

extension ColumnarTable {
    var rowCount: Int { groupRowCounts.reduce(0, +) }

    func column(named name: String) -> TableColumn? { columns.first { $0.name == name } }

    /// `<file> row group 3`, for messages.
    func place(group: Int, column: String? = nil, row: Int? = nil) -> String {
        "\(groupNoun) \(group)" + (column.map { ", column '\($0)'" } ?? "") + (row.map { ", row \($0)" } ?? "")
    }
}

/// A top-level column and what it can hold.
struct TableColumn: Equatable, Sendable {
    enum Kind: Equatable, Sendable, CustomStringConvertible {
        /// Hugging Face's Image layout: a struct of `bytes` (binary) and `path` (text), either may be null.
        case encodedImage
        case binary
        case text
        case integer
        /// Anything else (floats, lists, other structs), described for messages.
        case other(String)

        var description: String {
            switch self {
            case .encodedImage: "struct<bytes, path>"
            case .binary: "binary"
            case .text: "string"
            case .integer: "integer"
            case .other(let text): text
            }
        }

        var canHoldImages: Bool { [.encodedImage, .binary, .text].contains(self) }
        var canHoldLabels: Bool { [.integer, .text].contains(self) }
    }

    var name: String
    var kind: Kind
}

/// A label column's values in one group: integers or strings, nil where the row holds none.
enum LabelValues: Equatable {
    case integers([Int64?])
    case strings([String?])

    var count: Int {
        switch self {
        case .integers(let values): values.count
        case .strings(let values): values.count
        }
    }
}

/// The image column's cells in one group: encoded bytes (ranges of one buffer), a path to an image file (relative
/// to the table file's folder), or neither.
struct ImageCells: Sendable {
    enum Cell: Equatable, Sendable {
        case bytes(Range<Int>)
        case path(String)
        case missing
    }

    var buffer: [UInt8]
    var cells: [Cell]

    /// Rows whose cell is, in order of preference, the bytes given, else the path given, else missing.
    init(buffer: [UInt8], bytes: [Range<Int>?], paths: [String?]?) {
        self.buffer = buffer
        cells = bytes.enumerated().map { row, range in
            if let range { return .bytes(range) }
            if let paths, row < paths.count, let path = paths[row] { return .path(path) }
            return .missing
        }
    }
}
