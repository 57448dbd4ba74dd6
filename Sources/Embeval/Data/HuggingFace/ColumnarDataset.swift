import Foundation

/// One split of a dataset held in columnar files (parquet shards, Arrow files): its image and label columns chosen,
/// its labels read (only the label column, group by group), and one sample per row whose image is read on demand.
///
/// - **Image column**: `--column input_column=NAME`; else the one `Image` feature; else the one column laid out as
///   Hugging Face's Image (`struct<bytes, path>`); else the one binary column.
/// - **Label column**: `--column label_column=NAME`; else the one `ClassLabel` feature; else a column named `label`.
/// - **Classes**: a ClassLabel's names (label id = the stored integer); else integer labels as they are (ids 0…max,
///   named "0", "1", …); else the distinct strings sorted by their UTF-8 bytes.
/// - **Samples**: in file order, then group order, then row order; id = the row's index in the split (`ds[i]` in
///   `datasets`).
///
/// Every file must have the chosen columns with the same kind of labels (and ClassLabel names): a mix is an error
/// naming the file that differs; so is a null or out-of-range label, naming its file, group and row.
enum ColumnarDataset {
    /// The most classes integer labels may span (ids 0…max; ImageNet-21k has 21,841): beyond, they are surely not
    /// class ids, and naming each would cost memory for nothing.
    static let mostIntegerClasses = 1 << 17

    static func load(_ tables: [any ColumnarTable], features fallback: HuggingFaceFeatures?, columns: ColumnMapping,
                     name: String, split: String?) throws -> Dataset {
        guard let first = tables.first else { throw DatasetError.empty(spec: name) }
        let features = try features(of: first) ?? fallback
        let image = try imageColumn(first, features: features, columns: columns)
        let label = try labelColumn(first, features: features, columns: columns, image: image)
        let names = features?.classLabels[label]

        var integers = [Int64](), strings = [String]()
        var labelKind: TableColumn.Kind? = nil
        for table in tables {
            try check(table, has: image, canHold: \.canHoldImages, role: "image", remedy: "input_column")
            let kind = try check(table, has: label, canHold: \.canHoldLabels, role: "label", remedy: "label_column")
            if let expected = labelKind, expected != kind {
                throw DatasetError.unusableColumn(path: table.url.path, reason: "label column '\(label)' holds \(kind) values, but \(expected) values in '\(first.url.path)' (mixed label types)")
            }
            labelKind = kind
            if names != nil, kind != .integer {
                throw DatasetError.unusableColumn(path: table.url.path, reason: "ClassLabel column '\(label)' holds \(kind) values, not integers")
            }
            if table.url != first.url, let own = try self.features(of: table), own.classLabels[label] != names {
                throw DatasetError.unusableColumn(path: table.url.path, reason: "the class names of '\(label)' differ from those of '\(first.url.path)'")
            }
            var fileRow = 0
            for (group, rows) in table.groupRowCounts.enumerated() {
                let values = try table.labels(column: label, group: group)
                guard values.count == rows else {
                    throw DatasetError.malformed(kind: table.kind, path: table.url.path, location: table.place(group: group, column: label),
                                                 reason: "holds \(values.count) labels for \(rows) rows")
                }
                func noLabel(_ row: Int, _ why: String) -> DatasetError {
                    .malformed(kind: table.kind, path: table.url.path, location: table.place(group: group, column: label, row: fileRow + row), reason: why)
                }
                switch values {
                case .integers(let values):
                    for (row, value) in values.enumerated() {
                        guard let value else { throw noLabel(row, "has no label (null)") }
                        integers.append(value)
                        try checkInteger(value, names: names) { noLabel(row, $0) }
                    }
                case .strings(let values):
                    for (row, value) in values.enumerated() {
                        guard let value else { throw noLabel(row, "has no label (null)") }
                        guard !value.isEmpty else { throw noLabel(row, "has an empty label") }
                        strings.append(value)
                    }
                }
                fileRow += rows
            }
        }

        let classes: [String], ids: [Int]
        if let names {
            classes = names
            ids = integers.map { Int($0) }
        } else if labelKind == .integer {
            classes = (0...Int(integers.max() ?? 0)).map(String.init)
            ids = integers.map { Int($0) }
        } else {
            let names = TextLabels(sortingByBytes: strings)
            classes = names.classes
            ids = strings.map { names.id(of: $0) ?? 0 }
        }
        let store = ColumnarImageStore(tables: tables, column: image)
        let samples = ids.enumerated().map { index, label in Sample(id: String(index), label: label, source: .encoded(store, index: index)) }
        return Dataset(name: name, split: split, classes: classes, samples: samples)
    }

    /// A label value's range: a ClassLabel's ids, or class ids 0…`mostIntegerClasses` − 1 without names.
    private static func checkInteger(_ value: Int64, names: [String]?, _ failure: (String) -> DatasetError) throws {
        if let names {
            guard value >= 0, value < Int64(names.count) else {
                throw failure("has label \(value)\(value == -1 ? " (no label)" : ""), outside the \(names.count) ClassLabel names")
            }
        } else {
            guard value >= 0, value < Int64(mostIntegerClasses) else {
                throw failure("has label \(value): integer labels are class ids 0…\(mostIntegerClasses - 1) (or give the column ClassLabel names)")
            }
        }
    }

    private static func features(of table: any ColumnarTable) throws -> HuggingFaceFeatures? {
        guard let json = table.huggingFaceMetadata else { return nil }
        do { return try HuggingFaceFeatures(metadata: json) } catch {
            throw DatasetError.malformed(kind: table.kind, path: table.url.path, location: nil, reason: error.reason)
        }
    }

    /// The table's column `name`, which must hold what `role` needs; returns its kind.
    @discardableResult
    private static func check(_ table: any ColumnarTable, has name: String, canHold: KeyPath<TableColumn.Kind, Bool>,
                              role: String, remedy: String) throws -> TableColumn.Kind {
        guard let column = table.column(named: name) else {
            throw DatasetError.unusableColumn(path: table.url.path, reason: "no \(role) column '\(name)' (columns: \(describe(table.columns))); set --column \(remedy)=NAME")
        }
        guard column.kind[keyPath: canHold] else {
            throw DatasetError.unusableColumn(path: table.url.path, reason: "\(role) column '\(name)' holds \(column.kind) values, which cannot be \(role)s")
        }
        return column.kind
    }

    private static func imageColumn(_ table: any ColumnarTable, features: HuggingFaceFeatures?, columns: ColumnMapping) throws -> String {
        if let named = columns.namedInput { return named }
        let tiers: [(String, [String])] = [
            ("Image features", features?.imageColumns ?? []),
            ("struct<bytes, path> columns", table.columns.filter { $0.kind == .encodedImage }.map(\.name)),
            ("binary columns", table.columns.filter { $0.kind == .binary }.map(\.name)),
        ]
        for (what, candidates) in tiers where !candidates.isEmpty {
            guard candidates.count == 1 else {
                throw DatasetError.unusableColumn(path: table.url.path, reason: "several \(what) (\(candidates.joined(separator: ", "))): choose one with --column input_column=NAME")
            }
            return candidates[0]
        }
        throw DatasetError.unusableColumn(path: table.url.path, reason: "no image column (no Image feature, struct<bytes, path> or binary column among \(describe(table.columns))): name one with --column input_column=NAME")
    }

    private static func labelColumn(_ table: any ColumnarTable, features: HuggingFaceFeatures?, columns: ColumnMapping,
                                    image: String) throws -> String {
        if let named = columns.namedLabel { return named }
        let classLabels = (features?.classLabels.keys.sorted() ?? []).filter { $0 != image }
        guard classLabels.count <= 1 else {
            throw DatasetError.unusableColumn(path: table.url.path, reason: "several ClassLabel columns (\(classLabels.joined(separator: ", "))): choose one with --column label_column=NAME")
        }
        if let only = classLabels.first { return only }
        if table.column(named: "label") != nil { return "label" }
        throw DatasetError.unusableColumn(path: table.url.path, reason: "no label column (no ClassLabel feature and no column 'label' among \(describe(table.columns))): name one with --column label_column=NAME")
    }

    private static func describe(_ columns: [TableColumn]) -> String {
        columns.isEmpty ? "none" : columns.prefix(12).map { "\($0.name) (\($0.kind))" }.joined(separator: ", ") + (columns.count > 12 ? ", …" : "")
    }
}
