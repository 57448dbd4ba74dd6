import Foundation

/// Which column of a tabular source holds the image and which the label (`--column input_column=img`).
public struct ColumnMapping: Equatable, Sendable {
    /// The image column as named by `input_column=`; nil leaves the choice to the format (`path` for manifests, the
    /// one Image feature of a Hugging Face table).
    public var namedInput: String?
    /// The label column as named by `label_column=`; nil leaves the choice to the format (`label` for manifests, the
    /// one ClassLabel feature of a Hugging Face table).
    public var namedLabel: String?
    /// The column naming each row's split (`train`, `test`), for `--split` and `--train-split`.
    public var split: String = "split"
    /// The column of each image's captions (a string, or a list of strings), for image ↔ text retrieval.
    public var captions: String = "captions"

    /// The image column: as named, else `path`.
    public var input: String {
        get { namedInput ?? "path" }
        set { namedInput = newValue }
    }

    /// The label column: as named, else `label`.
    public var label: String {
        get { namedLabel ?? "label" }
        set { namedLabel = newValue }
    }

    public init(input: String? = nil, label: String? = nil, split: String = "split", captions: String = "captions") {
        namedInput = input
        namedLabel = label
        self.split = split
        self.captions = captions
    }

    /// Parses `key=value` pairs with keys `input_column`, `label_column`, `split_column` and `caption_column`, as the
    /// seed CLI takes them.
    public init(arguments: [String]) throws {
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw DatasetError.invalidColumn(argument: argument, reason: "expected input_column=NAME or label_column=NAME")
            }
            switch parts[0] {
            case "input_column", "image_column": input = parts[1]
            case "label_column": label = parts[1]
            case "split_column": split = parts[1]
            case "caption_column": captions = parts[1]
            default: throw DatasetError.invalidColumn(argument: argument, reason: "unknown key '\(parts[0])' (accepted: input_column, label_column, split_column, caption_column)")
            }
        }
    }
}

/// What the user typed after `--dataset`: a named dataset (`fashion-mnist`), a scheme and a path (`cifar10:DIR`),
/// a path that the formats recognise by what is there, or a spec naming no path (a glob, a hub repository id) that a
/// format claims; with the hub revision asked for (`--revision`).
public struct DatasetLocation: Equatable, Sendable {
    /// The scheme of a format that is named rather than recognised; nil for a plain path.
    public var scheme: String?
    public var path: String?
    /// The revision of a Hugging Face hub dataset (a branch, tag or commit); nil for `main`.
    public var revision: String?

    public init(_ spec: String, revision: String? = nil) {
        self.revision = revision
        for format in DatasetSpec.formats {
            guard let scheme = format.scheme else { continue }
            if format.takesPath, spec.hasPrefix(scheme + ":") {
                self.scheme = scheme
                path = String(spec.dropFirst(scheme.count + 1))
                return
            }
            if !format.takesPath, spec == scheme {
                self.scheme = scheme
                return
            }
        }
        path = spec
    }

    /// The spec as the user would type it.
    public var spec: String {
        switch (scheme, path) {
        case let (scheme?, path?): "\(scheme):\(path)"
        case let (scheme?, nil): scheme
        case let (nil, path): path ?? ""
        }
    }

    /// The same location with a relative path taken relative to `base` (an expectations file's folder). A hub
    /// repository id (`owner/name`) that names no path there stays an id.
    public func resolved(against base: URL) -> DatasetLocation {
        guard let path, !path.hasPrefix("/") else { return self }
        let resolved = base.appendingPathComponent(path).path
        if scheme == nil, HubCache.isRepositoryID(path), !FileManager.default.fileExists(atPath: resolved) { return self }
        var copy = self
        copy.path = resolved
        return copy
    }
}

/// A kind of dataset Embeval reads. A new source (parquet, Arrow, tar shards) is one more conforming type in
/// `DatasetSpec.formats`; every command opens datasets through that list.
public protocol DatasetFormat: Sendable {
    /// How a user names this kind, for messages: `fashion-mnist`, `cifar10:DIR`, `a .csv/.jsonl manifest`.
    var usage: String { get }
    /// The name a spec starts with (`cifar10` of `cifar10:DIR`, or all of `fashion-mnist`); nil when the format is
    /// recognised from a path instead.
    var scheme: String? { get }
    /// Whether the scheme is followed by `:PATH`.
    var takesPath: Bool { get }
    /// For a path without a scheme: whether it is of this kind.
    func recognises(_ url: URL, isDirectory: Bool) -> Bool
    /// For a spec without a scheme that is no path on disk: whether this format reads it anyway (a glob pattern, a
    /// Hugging Face hub repository id).
    func recognises(missing location: DatasetLocation) -> Bool
    /// Whether the format reads `--revision` (hub datasets); the others refuse a location that has one.
    var readsRevisions: Bool { get }
    /// For a path without a scheme that names several files at once and need not exist as typed (a brace pattern of
    /// shards): whether it is of this kind.
    func recognises(pattern: String) -> Bool
    func open(_ location: DatasetLocation, split: String?, columns: ColumnMapping) throws -> Dataset
}

extension DatasetFormat {
    public var scheme: String? { nil }
    public var takesPath: Bool { true }
    public func recognises(_ url: URL, isDirectory: Bool) -> Bool { false }
    public func recognises(missing location: DatasetLocation) -> Bool { false }
    public var readsRevisions: Bool { false }
    public func recognises(pattern: String) -> Bool { false }
}

/// Opens a dataset from what the user typed after `--dataset`, through the registered formats:
///
/// - `fashion-mnist`: Debian's `dataset-fashion-mnist` IDX files (`--split train|test`).
/// - `cifar10:DIR` / `cifar100:DIR`: the binary batches in DIR (`--split train|test`; CIFAR-100 fine labels unless
///   `--column label_column=coarse_label`).
/// - a folder with one sub-folder per class (sorted names → label ids 0, 1, …); if it holds a sub-folder named
///   like `--split`, that one is used.
/// - a `.csv` or `.jsonl` manifest with an image path (relative to the manifest) and a label per row.
/// - an IDX image file (`…-images-idx3-ubyte[.gz]`); its labels are the matching `…-labels-idx1-ubyte[.gz]`.
/// - Hugging Face datasets: a `.parquet` or `.arrow` file, a folder of shards, a glob, a `save_to_disk` folder, or a
///   hub repository id (`owner/name`, read from the local hub cache; `--revision`).
/// - WebDataset tar shards: a `.tar`, a folder of them (or of split sub-folders of them), or a brace pattern such as
///   `shards/test-{000..099}.tar` (`WebDataset`).
public enum DatasetSpec {
    public static let fashionMNISTDirectory = FashionMNIST.directory
    public static let fashionMNISTClasses = FashionMNIST.classes

    /// Every format, named ones first; a plain path goes to the first format that recognises it.
    public static let formats: [any DatasetFormat] = [
        FashionMNIST(), CIFARBatches(variant: .cifar10), CIFARBatches(variant: .cifar100),
        HuggingFaceDataset(), WebDataset(), ImageFolder(), Manifest(), IDXPair(),
    ]

    public static func load(_ spec: String, split: String? = nil, columns: ColumnMapping = ColumnMapping()) throws -> Dataset {
        try open(DatasetLocation(spec), split: split, columns: columns)
    }

    public static func open(_ location: DatasetLocation, split: String?, columns: ColumnMapping) throws -> Dataset {
        let format = try format(for: location)
        if location.revision != nil, !format.readsRevisions { throw DatasetError.revisionWithoutHub(spec: location.spec) }
        let dataset = try format.open(location, split: split, columns: columns)
        guard !dataset.samples.isEmpty else { throw DatasetError.empty(spec: location.spec) }
        return dataset
    }

    static func format(for location: DatasetLocation) throws -> any DatasetFormat {
        if let scheme = location.scheme, let named = formats.first(where: { $0.scheme == scheme }) { return named }
        let spec = location.spec
        if let path = location.path, let format = formats.first(where: { $0.scheme == nil && $0.recognises(pattern: path) }) {
            return format
        }
        let url = URL(fileURLWithPath: location.path ?? spec)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            if let claimed = formats.first(where: { $0.scheme == nil && $0.recognises(missing: location) }) { return claimed }
            throw DatasetError.notFound(spec: spec, expected: listing(formats.map(\.usage)))
        }
        guard let format = formats.first(where: { $0.scheme == nil && $0.recognises(url, isDirectory: isDirectory.boolValue) }) else {
            throw DatasetError.unknownKind(spec: spec, isFolder: isDirectory.boolValue,
                                           expected: listing(formats.filter { $0.scheme == nil }.map(\.usage)))
        }
        return format
    }

}
