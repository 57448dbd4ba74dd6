import Foundation

/// CIFAR-10/100 in their binary version (the seed evaluates on CIFAR-100 test).
///
/// CIFAR-10: `data_batch_1…5.bin` (train) and `test_batch.bin`, each record 1 label byte + 3,072 pixel bytes;
/// class names in `batches.meta.txt`. CIFAR-100: `train.bin` and `test.bin`, each record a coarse and a fine label
/// byte + 3,072 pixel bytes; names in `coarse_label_names.txt` / `fine_label_names.txt`. Pixels are 32×32, stored
/// as the red plane, then green, then blue.
struct CIFARBatches: DatasetFormat {
    enum Variant: String, Sendable { case cifar10, cifar100 }
    let variant: Variant

    var usage: String { "\(variant.rawValue):DIR" }
    var scheme: String? { variant.rawValue }

    func open(_ location: DatasetLocation, split: String?, columns: ColumnMapping) throws -> Dataset {
        try Self.load(variant, directory: URL(fileURLWithPath: location.path ?? "."), split: split ?? "test",
                      label: columns.label, name: location.spec)
    }

    /// `label` is `fine_label` (default) or `coarse_label` for CIFAR-100; ignored for CIFAR-10.
    static func load(_ variant: Variant, directory: URL, split: String, label: String, name: String) throws -> Dataset {
        let files: [String]
        switch (variant, split) {
        case (.cifar10, "train"): files = (1...5).map { "data_batch_\($0).bin" }
        case (.cifar10, "test"): files = ["test_batch.bin"]
        case (.cifar100, "train"): files = ["train.bin"]
        case (.cifar100, "test"): files = ["test.bin"]
        default: throw DatasetError.unknownSplit(dataset: variant.rawValue, split: split, available: ["train", "test"])
        }
        let labelOffset: Int, namesFile: String
        switch (variant, label) {
        case (.cifar10, _): labelOffset = 0; namesFile = "batches.meta.txt"
        case (.cifar100, "fine_label"), (.cifar100, "label"): labelOffset = 1; namesFile = "fine_label_names.txt"
        case (.cifar100, "coarse_label"): labelOffset = 0; namesFile = "coarse_label_names.txt"
        default: throw DatasetError.unknownLabelColumn(dataset: "cifar100", column: label, available: ["fine_label", "coarse_label"])
        }
        let header = variant == .cifar10 ? 1 : 2, record = header + 3072

        var pixels = [UInt8](), labels = [Int]()
        for file in files {
            let url = directory.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw DatasetError.missingFile(what: "\(variant.rawValue) batch", path: url.path, remedy: "expected the binary version's \(files.joined(separator: ", "))")
            }
            guard !data.isEmpty, data.count % record == 0 else {
                throw DatasetError.malformed(kind: nil, path: url.path, location: nil, reason: "\(data.count) bytes is not a whole number of \(record)-byte \(variant.rawValue) records")
            }
            let bytes = [UInt8](data)
            pixels.reserveCapacity(pixels.count + bytes.count / record * 3072)
            for r in stride(from: 0, to: bytes.count, by: record) {
                labels.append(Int(bytes[r + labelOffset]))
                let planes = r + header
                for p in 0..<1024 {
                    pixels.append(bytes[planes + p]); pixels.append(bytes[planes + 1024 + p]); pixels.append(bytes[planes + 2048 + p])
                }
            }
        }
        let namesURL = directory.appendingPathComponent(namesFile)
        guard let text = try? String(contentsOf: namesURL, encoding: .utf8) else {
            throw DatasetError.missingFile(what: "\(variant.rawValue) class names", path: namesURL.path, remedy: nil)
        }
        let classes = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let bad = labels.firstIndex(where: { $0 >= classes.count }) {
            throw DatasetError.malformed(kind: "\(variant.rawValue) \(split) batches", path: directory.path, location: "record \(bad)", reason: "label \(labels[bad]) outside the \(classes.count) names of '\(namesURL.path)'")
        }
        let store = ImageArray(width: 32, height: 32, channels: 3, pixels: pixels)
        return Dataset(name: name, split: split, classes: classes,
                       samples: labels.enumerated().map { Sample(id: String($0), label: $1, source: .array(store, index: $0)) })
    }
}
