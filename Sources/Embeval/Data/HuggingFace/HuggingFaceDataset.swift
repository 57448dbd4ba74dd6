import Foundation

/// Hugging Face datasets as users already have them, read without conversion:
///
/// - parquet files: one file, a folder of shards (`data/test-00000-of-00003.parquet`, `test/0000.parquet`), or a glob
///   (`'shards/test-*.parquet'`), splits named by the files (`SplitFiles`);
/// - a `save_to_disk` folder: `dataset_dict.json` with a sub-folder per split, or `state.json` with its Arrow files;
/// - a hub repository id (`acme/fmnist`, any `owner/name` that is not a path): its snapshot in the local hub cache
///   (`HubCache`, at `--revision` or `main`), then read as a folder.
///
/// Without `--split`: the only split, else `test`, else an error listing them. Columns and labels: `ColumnarDataset`.
struct HuggingFaceDataset: DatasetFormat {
    var usage: String { "a .parquet/.arrow file, folder or glob, a save_to_disk folder, or a hub dataset id (owner/name)" }
    var readsRevisions: Bool { true }

    func recognises(_ url: URL, isDirectory: Bool) -> Bool {
        guard isDirectory else { return SplitFiles.extensions.contains(url.pathExtension.lowercased()) }
        return SavedDataset.isSaved(url) || SplitFiles.holdsTables(url)
    }

    func recognises(missing location: DatasetLocation) -> Bool {
        guard let path = location.path else { return false }
        return Self.isPattern(path) || HubCache.isRepositoryID(path)
    }

    func open(_ location: DatasetLocation, split: String?, columns: ColumnMapping) throws -> Dataset {
        let spec = location.path ?? location.spec
        let name = location.spec
        if !FileManager.default.fileExists(atPath: spec) {
            if Self.isPattern(spec) {
                guard location.revision == nil else { throw DatasetError.revisionWithoutHub(spec: name) }
                let files = Self.expand(spec)
                guard !files.isEmpty else {
                    throw DatasetError.notFound(spec: name, expected: ".parquet or .arrow files matching the pattern")
                }
                return try load(SplitFiles(files, root: Self.patternRoot(spec)), split: split, columns: columns, name: name)
            }
            let cache = HubCache()
            guard let snapshot = cache.snapshot(of: spec, kind: .dataset, revision: location.revision) else {
                throw DatasetError.notInHubCache(repository: spec, lookedIn: cache.lookedIn(spec, kind: .dataset, revision: location.revision),
                                                 download: HubCache.downloadCommand(spec, kind: .dataset, revision: location.revision))
            }
            // CLIP_benchmark's hub repositories hold WebDataset shards, not tables: read them as shards.
            if !SplitFiles.holdsTables(snapshot), WebDataset().recognises(snapshot, isDirectory: true) {
                var dataset = try WebDataset().open(DatasetLocation(snapshot.path), split: split, columns: columns)
                dataset.name = name
                return dataset
            }
            return try openFolder(snapshot, split: split, columns: columns, name: name)
        }
        guard location.revision == nil else { throw DatasetError.revisionWithoutHub(spec: name) }
        let url = URL(fileURLWithPath: spec)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if isDirectory.boolValue { return try openFolder(url, split: split, columns: columns, name: name) }
        return try openFile(url, split: split, columns: columns, name: name)
    }

    private func openFolder(_ folder: URL, split: String?, columns: ColumnMapping, name: String) throws -> Dataset {
        if SavedDataset.isSaved(folder) {
            let saved = try SavedDataset(folder, split: split, dataset: name)
            return try ColumnarDataset.load(saved.files.map(Self.table), features: saved.features, columns: columns, name: name, split: saved.split)
        }
        let layout = try SplitFiles.scan(folder)
        guard !layout.splits.isEmpty else {
            throw DatasetError.malformed(kind: "dataset folder", path: folder.path, location: nil, reason: "holds no .parquet or .arrow file")
        }
        return try load(layout, split: split, columns: columns, name: name, whole: true)
    }

    /// One file is one split: with `--split`, its name must say that split.
    private func openFile(_ url: URL, split: String?, columns: ColumnMapping, name: String) throws -> Dataset {
        if let split {
            let named = SplitFiles.split(name: url.lastPathComponent, folders: [url.deletingLastPathComponent().lastPathComponent])
            guard named == split else {
                throw DatasetError.noSuchSplit(dataset: name, split: split,
                                               hint: "a single file is one split ('\(named)' by its name); give the folder or a glob of the split's files")
            }
        }
        return try ColumnarDataset.load([Self.table(url)], features: nil, columns: columns, name: name, split: split)
    }

    /// `whole`: a folder's split must hold all its `-i-of-n` shards (a glob picks shards on purpose).
    private func load(_ layout: SplitFiles, split: String?, columns: ColumnMapping, name: String, whole: Bool = false) throws -> Dataset {
        let available = layout.splits.keys.sorted()
        let chosen: String
        if let split {
            guard layout.splits[split] != nil else {
                throw DatasetError.noSuchSplit(dataset: name, split: split,
                                               hint: "its files name the split\(available.count == 1 ? "" : "s") \(listing(available.map { "'\($0)'" }, conjunction: "and"))")
            }
            chosen = split
        } else if available.count == 1 {
            chosen = available[0]
        } else if layout.splits["test"] != nil {
            chosen = "test"
        } else {
            throw DatasetError.splitRequired(dataset: name, available: available)
        }
        let files = layout.splits[chosen] ?? []
        // A split's shards share a folder; several folders are several configurations of one repository.
        let folders = Set(files.map { $0.deletingLastPathComponent().path }).sorted()
        guard folders.count == 1 else {
            throw DatasetError.malformed(kind: "dataset", path: name, location: nil,
                                         reason: "split '\(chosen)' has files in several folders (\(folders.prefix(4).joined(separator: ", "))): several configurations? give one folder as --dataset")
        }
        if whole, let gap = SplitFiles.incompleteness(of: files) {
            throw DatasetError.malformed(kind: "dataset", path: name, location: nil, reason: "split '\(chosen)' \(gap)")
        }
        return try ColumnarDataset.load(files.map(Self.table), features: nil, columns: columns, name: name, split: chosen)
    }

    /// A parquet or Arrow file, by its extension.
    static func table(_ url: URL) throws -> any ColumnarTable {
        url.pathExtension.lowercased() == "arrow" ? try ArrowTable(url) : try ParquetTable(url)
    }

    // MARK: Globs

    static func isPattern(_ spec: String) -> Bool { spec.contains { "*?[".contains($0) } }

    /// The table files a glob pattern matches (the C library's `glob`, sorted).
    static func expand(_ pattern: String) -> [URL] {
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(pattern, 0, nil, &matches) == 0 else { return [] }
        return (0..<Int(matches.gl_pathc)).compactMap { i in
            matches.gl_pathv[i].map { URL(fileURLWithPath: String(cString: $0)) }
        }.filter { SplitFiles.extensions.contains($0.pathExtension.lowercased()) }
    }

    /// The folder a pattern's files are named relative to: its components before the first one with a wildcard.
    static func patternRoot(_ pattern: String) -> URL {
        let components = URL(fileURLWithPath: pattern).pathComponents
        let fixed = components.prefix { !isPattern($0) }
        let root = fixed.count == components.count ? Array(fixed.dropLast()) : Array(fixed)
        return URL(fileURLWithPath: root.isEmpty ? "/" : NSString.path(withComponents: root))
    }
}
