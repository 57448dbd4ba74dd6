import Foundation

/// An IDX image file (`…-images-idx3-ubyte[.gz]`) with its labels beside it (`…-labels-idx1-ubyte[.gz]`); ids are
/// row numbers, classes the label numbers.
struct IDXPair: DatasetFormat {
    var usage: String { "an IDX file" }

    func recognises(_ url: URL, isDirectory: Bool) -> Bool {
        !isDirectory && url.lastPathComponent.lowercased().contains("idx3")
    }

    func open(_ location: DatasetLocation, split: String?, columns: ColumnMapping) throws -> Dataset {
        if let split {
            throw DatasetError.noSuchSplit(dataset: location.spec, split: split, hint: "an IDX file is a single split; name the other split's file instead")
        }
        let images = URL(fileURLWithPath: location.path ?? location.spec)
        return try Self.load(images: images, labels: Self.labelsFile(for: images), classes: nil, name: location.spec, split: split)
    }

    static func labelsFile(for images: URL) -> URL {
        let name = images.lastPathComponent.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
        return images.deletingLastPathComponent().appendingPathComponent(name)
    }

    static func load(images: URL, labels: URL, classes: [String]?, name: String, split: String?) throws -> Dataset {
        guard FileManager.default.fileExists(atPath: labels.path) else {
            throw DatasetError.missingFile(what: "IDX labels", path: labels.path, remedy: "expected beside '\(images.path)'")
        }
        let store = try IDXFile.readImages(images)
        let labelIDs = try IDXFile.readLabels(labels)
        guard labelIDs.count == store.count else {
            throw DatasetError.malformed(kind: nil, path: labels.path, location: nil, reason: "holds \(labelIDs.count) labels for \(store.count) images in '\(images.path)'")
        }
        let classNames = classes ?? (0...(labelIDs.max() ?? 0)).map(String.init)
        if let bad = labelIDs.firstIndex(where: { $0 >= classNames.count }) {
            throw DatasetError.malformed(kind: nil, path: labels.path, location: "row \(bad)", reason: "label \(labelIDs[bad]) outside the \(classNames.count) classes")
        }
        let samples = labelIDs.enumerated().map { i, label in
            Sample(id: String(i), label: label, source: .array(store, index: i))
        }
        return Dataset(name: name, split: split, classes: classNames, samples: samples)
    }
}

/// Fashion-MNIST from Debian's `dataset-fashion-mnist` (IDX files), named `fashion-mnist`; splits `train` and `test`.
struct FashionMNIST: DatasetFormat {
    static let directory = "/usr/share/datasets/fashion-mnist"
    static let classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    var usage: String { "fashion-mnist" }
    var scheme: String? { "fashion-mnist" }
    var takesPath: Bool { false }

    func open(_ location: DatasetLocation, split: String?, columns: ColumnMapping) throws -> Dataset {
        let split = split ?? "test"
        let prefix: String
        switch split {
        case "train": prefix = "train"
        case "test", "t10k": prefix = "t10k"
        default: throw DatasetError.unknownSplit(dataset: "fashion-mnist", split: split, available: ["train", "test"])
        }
        let dir = URL(fileURLWithPath: Self.directory)
        let images = dir.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz")
        guard FileManager.default.fileExists(atPath: images.path) else {
            throw DatasetError.missingFile(what: "fashion-mnist", path: Self.directory, remedy: "run scripts/bootstrap (installs dataset-fashion-mnist)")
        }
        return try IDXPair.load(images: images, labels: dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"),
                                classes: Self.classes, name: "fashion-mnist", split: split == "t10k" ? "test" : split)
    }
}
