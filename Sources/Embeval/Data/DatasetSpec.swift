import Foundation

/// Which column of a tabular source holds the image and which the label (`--column input_column=img`).
public struct ColumnMapping: Equatable, Sendable {
    public var input: String = "path"
    public var label: String = "label"

    public init(input: String = "path", label: String = "label") {
        self.input = input
        self.label = label
    }

    /// Parses `key=value` pairs with keys `input_column` and `label_column`, as the seed CLI takes them.
    public init(arguments: [String]) throws {
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw EmbevalError.usage("--column '\(argument)': expected input_column=NAME or label_column=NAME")
            }
            switch parts[0] {
            case "input_column", "image_column": input = parts[1]
            case "label_column": label = parts[1]
            default: throw EmbevalError.usage("--column '\(argument)': unknown key '\(parts[0])' (accepted: input_column, label_column)")
            }
        }
    }
}

/// Opens a dataset from what the user typed after `--dataset`.
///
/// - `fashion-mnist`: Debian's `dataset-fashion-mnist` IDX files (`--split train|test`).
/// - a folder with one sub-folder per class (sorted names → label ids 0, 1, …); if it holds a sub-folder named
///   like `--split`, that one is used.
/// - a `.csv` or `.jsonl` manifest with an image path (relative to the manifest) and a label per row.
/// - an IDX image file (`…-images-idx3-ubyte[.gz]`); its labels are the matching `…-labels-idx1-ubyte[.gz]`.
/// - `cifar10:DIR` / `cifar100:DIR`: the binary batches in DIR (`--split train|test`; CIFAR-100 fine labels unless
///   `--column label_column=coarse_label`).
public enum DatasetSpec {
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"
    public static let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    public static func load(_ spec: String, split: String? = nil, columns: ColumnMapping = ColumnMapping()) throws -> Dataset {
        if spec == "fashion-mnist" { return try fashionMNIST(split: split ?? "test") }
        for variant in [CIFARBatches.Variant.cifar10, .cifar100] where spec.hasPrefix(variant.rawValue + ":") {
            return try CIFARBatches.load(variant, directory: URL(fileURLWithPath: String(spec.dropFirst(variant.rawValue.count + 1))),
                                         split: split ?? "test", label: columns.label, name: spec)
        }
        let url = URL(fileURLWithPath: spec)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw EmbevalError.input("dataset '\(spec)' not found: expected fashion-mnist, cifar10:DIR, cifar100:DIR, a class-folder directory, a .csv/.jsonl manifest or an IDX file")
        }
        let dataset: Dataset
        if isDirectory.boolValue {
            dataset = try ImageFolder.load(url, split: split, name: spec)
        } else {
            let name = url.lastPathComponent.lowercased()
            if name.hasSuffix(".csv") || name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") {
                dataset = try Manifest.load(url, columns: columns, name: spec, split: split)
            } else if name.contains("idx3") {
                dataset = try idx(images: url, labels: labelsFile(for: url), classes: nil, name: spec, split: split)
            } else {
                throw EmbevalError.input("dataset '\(spec)': unknown kind of file (expected .csv, .jsonl or an IDX '*-images-idx3-ubyte[.gz]' file)")
            }
        }
        guard !dataset.samples.isEmpty else { throw EmbevalError.input("dataset '\(spec)' holds no samples") }
        return dataset
    }

    static func fashionMNIST(split: String) throws -> Dataset {
        let prefix: String
        switch split {
        case "train": prefix = "train"
        case "test", "t10k": prefix = "t10k"
        default: throw EmbevalError.usage("fashion-mnist has splits 'train' and 'test', not '\(split)'")
        }
        let dir = URL(fileURLWithPath: fashionMNISTDirectory)
        let images = dir.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz")
        guard FileManager.default.fileExists(atPath: images.path) else {
            throw EmbevalError.input("fashion-mnist not found at \(fashionMNISTDirectory): run scripts/bootstrap (installs dataset-fashion-mnist)")
        }
        return try idx(images: images, labels: dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"),
                       classes: fashionMNISTClasses, name: "fashion-mnist", split: split == "t10k" ? "test" : split)
    }

    static func labelsFile(for images: URL) -> URL {
        let name = images.lastPathComponent.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
        return images.deletingLastPathComponent().appendingPathComponent(name)
    }

    static func idx(images: URL, labels: URL, classes: [String]?, name: String, split: String?) throws -> Dataset {
        guard FileManager.default.fileExists(atPath: labels.path) else {
            throw EmbevalError.input("IDX labels for '\(images.path)' not found: expected '\(labels.path)'")
        }
        let store = try IDXFile.readImages(images)
        let labelIDs = try IDXFile.readLabels(labels)
        guard labelIDs.count == store.count else {
            throw EmbevalError.input("'\(labels.path)' holds \(labelIDs.count) labels for \(store.count) images in '\(images.path)'")
        }
        let classNames = classes ?? (0...(labelIDs.max() ?? 0)).map(String.init)
        if let bad = labelIDs.firstIndex(where: { $0 >= classNames.count }) {
            throw EmbevalError.input("'\(labels.path)' row \(bad): label \(labelIDs[bad]) outside the \(classNames.count) classes")
        }
        let samples = labelIDs.enumerated().map { i, label in
            Sample(id: String(i), label: label, source: .array(store, index: i))
        }
        return Dataset(name: name, split: split, classes: classNames, samples: samples)
    }
}
