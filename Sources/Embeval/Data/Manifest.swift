import Foundation

/// A table of (image path, label) rows: CSV with a header line, or JSON Lines with one object per line.
///
/// Paths are relative to the manifest's folder (absolute paths are kept). Classes are the distinct labels, sorted
/// numerically when every label is an integer, else by their UTF-8 bytes; label id = position in that order.
/// An optional captions column holds each image's captions (a string, or a JSON list of strings); a manifest with
/// captions may leave out the label column, and is then unlabelled.
struct Manifest: DatasetFormat {
    var usage: String { "a .csv/.jsonl manifest" }

    func recognises(_ url: URL, isDirectory: Bool) -> Bool {
        !isDirectory && ["csv", "jsonl", "ndjson"].contains(url.pathExtension.lowercased())
    }

    func open(_ location: DatasetLocation, split: String?, columns: ColumnMapping) throws -> Dataset {
        try Self.load(URL(fileURLWithPath: location.path ?? location.spec), columns: columns, name: location.spec, split: split)
    }

    static func load(_ url: URL, columns: ColumnMapping, name: String, split: String?) throws -> Dataset {
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw DatasetError.unreadable(path: url.path, reason: "not a readable UTF-8 text manifest")
        }
        var rows = url.pathExtension.lowercased() == "csv"
            ? try csvRows(text, url: url, columns: columns)
            : try jsonlRows(text, url: url, columns: columns)
        guard !rows.isEmpty else { throw DatasetError.malformed(kind: "manifest", path: url.path, location: nil, reason: "no rows") }
        if let split {
            // A split is the rows whose split column says so: never all rows, which would score a train/test
            // protocol on the same images twice.
            guard rows.contains(where: { $0.split != nil }) else {
                throw DatasetError.noSuchSplit(dataset: name, split: split,
                                               hint: "the manifest has no '\(columns.split)' column (add one, or set --column split_column=NAME)")
            }
            let splits = Array(Set(rows.compactMap(\.split))).sorted()
            rows = rows.filter { $0.split == split }
            guard !rows.isEmpty else {
                throw DatasetError.noSuchSplit(dataset: name, split: split, hint: "its '\(columns.split)' column holds \(splits.prefix(6).map { "'\($0)'" }.joined(separator: ", "))")
            }
        }

        let labelled = rows.contains { $0.label != nil }
        if labelled, let row = rows.firstIndex(where: { $0.label == nil }) {
            throw DatasetError.malformed(kind: "manifest", path: url.path, location: "row \(row + 1)", reason: "no label in column '\(columns.label)' (other rows have one)")
        }
        let names: TextLabels
        do { names = try TextLabels(sorting: rows.map { $0.label ?? "" }) } catch {
            throw DatasetError.malformed(kind: "manifest", path: url.path, location: nil, reason: error.reason)
        }
        let base = url.deletingLastPathComponent()
        let samples = rows.map { row in
            let file = row.path.hasPrefix("/") ? URL(fileURLWithPath: row.path) : base.appendingPathComponent(row.path)
            return Sample(id: row.path, label: names.id(of: row.label ?? "") ?? 0, source: .file(file), captions: row.captions)
        }
        var dataset = Dataset(name: name, split: split, classes: labelled ? names.classes : ["(unlabelled)"], samples: samples)
        dataset.isLabelled = labelled
        // A path listed twice is one image counted twice: leave-one-out finds each copy's twin.
        var seen = Set<String>(), repeated = [String]()
        for row in rows where !seen.insert(row.path).inserted { repeated.append(row.path) }
        if let example = repeated.first {
            dataset.warnings.append("manifest '\(url.path)' lists \(repeated.count) path(s) again (first: '\(example)'): each copy is a sample, and leave-one-out finds its twin")
        }
        return dataset
    }

    /// One row: the label is nil only in a manifest without a label column (allowed when it has captions).
    struct Row { var path: String; var label: String?; var split: String?; var captions: [String] = [] }

    /// A captions cell: a JSON list of strings, or one caption.
    static func captions(_ value: Any?, url: URL, location: String, column: String) throws -> [String] {
        switch value {
        case nil, is NSNull: return []
        case let text as String:
            if text.hasPrefix("["), let list = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [Any] {
                return try captions(list, url: url, location: location, column: column)
            }
            return text.isEmpty ? [] : [text]
        case let list as [Any]:
            return try list.map { item in
                guard let caption = item as? String, !caption.isEmpty else {
                    throw DatasetError.malformed(kind: "manifest", path: url.path, location: location, reason: "column '\(column)' must hold non-empty strings, got \(item)")
                }
                return caption
            }
        default:
            throw DatasetError.malformed(kind: "manifest", path: url.path, location: location, reason: "column '\(column)' must be a string or a list of strings")
        }
    }

    static func csvRows(_ text: String, url: URL, columns: ColumnMapping) throws -> [Row] {
        let records = parseCSV(text)
        guard let header = records.first else { return [] }
        guard let p = header.firstIndex(of: columns.input) else {
            throw DatasetError.malformed(kind: "manifest", path: url.path, location: nil, reason: "no column '\(columns.input)' in header \(header) (set --column input_column=NAME)")
        }
        let c = header.firstIndex(of: columns.captions)
        let l = header.firstIndex(of: columns.label)
        guard l != nil || c != nil else {
            throw DatasetError.malformed(kind: "manifest", path: url.path, location: nil, reason: "no column '\(columns.label)' in header \(header) (set --column label_column=NAME)")
        }
        let s = header.firstIndex(of: columns.split)
        return try records.dropFirst().enumerated().compactMap { offset, record in
            if record.count == 1 && record[0].isEmpty { return nil }   // blank line
            guard record.count > max(p, l ?? 0), !record[p].isEmpty else {
                throw DatasetError.malformed(kind: "manifest", path: url.path, location: "row \(offset + 2)", reason: "expected columns '\(columns.input)' and '\(columns.label)', got \(record)")
            }
            if let l, record[l].isEmpty {
                throw DatasetError.malformed(kind: "manifest", path: url.path, location: "row \(offset + 2)", reason: "empty label in column '\(columns.label)'")
            }
            return Row(path: record[p], label: l.map { record[$0] }, split: s.flatMap { $0 < record.count ? record[$0] : nil },
                       captions: try captions(c.flatMap { $0 < record.count ? record[$0] : nil }, url: url,
                                              location: "row \(offset + 2)", column: columns.captions))
        }
    }

    static func jsonlRows(_ text: String, url: URL, columns: ColumnMapping) throws -> [Row] {
        var rows = [Row]()
        // Lines end in \n or \r\n (one Character in Swift): split on any newline.
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                throw DatasetError.malformed(kind: "manifest", path: url.path, location: "line \(offset + 1)", reason: "not a JSON object")
            }
            guard let path = object[columns.input] as? String, !path.isEmpty else {
                throw DatasetError.malformed(kind: "manifest", path: url.path, location: "line \(offset + 1)", reason: "no string field '\(columns.input)' (set --column input_column=NAME)")
            }
            let label: String?
            switch object[columns.label] {
            case let s as String where !s.isEmpty: label = s
            case let n as NSNumber where !n.isJSONBoolean && n.doubleValue == n.doubleValue.rounded() && abs(n.doubleValue) < 1e15:
                label = String(n.int64Value)
            case nil where object[columns.captions] != nil: label = nil
            default:
                throw DatasetError.malformed(kind: "manifest", path: url.path, location: "line \(offset + 1)", reason: "no string or integer field '\(columns.label)' (set --column label_column=NAME)")
            }
            rows.append(Row(path: path, label: label, split: object[columns.split] as? String,
                            captions: try captions(object[columns.captions], url: url, location: "line \(offset + 1)", column: columns.captions)))
        }
        return rows
    }

    /// RFC 4180 records: comma-separated, double-quoted fields may hold commas, newlines and doubled quotes.
    static func parseCSV(_ text: String) -> [[String]] {
        var records = [[String]](), record = [String](), field = ""
        var inQuotes = false
        var chars = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else { inQuotes = false }
                } else { field.append(c) }
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case ",": record.append(field); field = ""
            case "\n", "\r\n", "\r":
                record.append(field); records.append(record); record = []; field = ""
            default: field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records.map { $0.map { $0.trimmingCharacters(in: .whitespaces) } }
    }
}
