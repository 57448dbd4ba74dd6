import Foundation

/// The tar files a WebDataset `--dataset` names, for one split, and the folders its CLIP_benchmark files
/// (`classnames.txt`, `zeroshot_classification_templates.txt`) are looked for in.
///
/// - a brace pattern (`shards/test-{000..099}.tar`, `shards/{train,test}-{0..9}.tar`): the names it expands to, in
///   order (`BracePattern`); every one must exist;
/// - a `.tar` file: itself;
/// - a folder: its `.tar` files in name order, numbers in names compared as numbers (`2.tar` before `10.tar`, the
///   order of CLIP_benchmark's `{0..N}.tar`).
///
/// With `--split NAME`: a folder's sub-folder `NAME` if it has one (CLIP_benchmark's `root/test/0.tar`), else the
/// shards named like the split — `NAME.tar`, `NAME-….tar`, `NAME_….tar`, `NAME.….tar` — or lying in a folder `NAME`.
/// A split with no shard is an error, never the whole set. Without `--split`, shards named for two or more splits
/// (`train-000.tar` and `test-000.tar`, `imagenet-train-0.tar` and `imagenet-val-0.tar`, folders `train/` and
/// `test/` in a pattern) are never read as one set: the test split's shards, else an error listing the splits.
struct WebDatasetShards {
    var files: [URL]
    /// The split read: `--split`'s, `test` when the shards name several, else nil.
    var split: String?
    /// Where to look for the CLIP_benchmark files, first match wins: the (first) shards' folder, then the one above.
    var folders: [URL]

    static func resolve(_ path: String, split: String?, name: String) throws -> WebDatasetShards {
        if WebDataset.isPattern(path) { return try pattern(path, split: split, name: name) }
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DatasetError.missingFile(what: "shard", path: url.path, remedy: nil)
        }
        if isDirectory.boolValue { return try folder(url, split: split, name: name) }
        if let split, !isNamed(url, like: split) {
            throw DatasetError.noSuchSplit(dataset: name, split: split, hint: "the shard '\(url.lastPathComponent)' is not named like it (\(splitNaming(split)))")
        }
        return WebDatasetShards(files: [url], split: split, folders: around(url))
    }

    /// Whether a shard belongs to `split` by its name (its start, or a part between `-`, `_` and `.`) or its folder's.
    static func isNamed(_ url: URL, like split: String) -> Bool {
        let name = url.lastPathComponent
        return name == split + ".tar" || ["-", "_", "."].contains { name.hasPrefix(split + $0) }
            || nameParts(url).contains(split) || url.deletingLastPathComponent().lastPathComponent == split
            || namedSplit(url) == split.lowercased()
    }

    /// The words that name a split in shard names.
    static let splitWords: Set<String> = ["train", "test", "validation", "val", "valid", "dev", "eval"]

    /// The split a shard's name says: the last of its name's parts that is a split word, alone or with a year or
    /// number after it (`coco-val2017-000.tar`: val; `eval-set-test-000.tar`: test), else its folder's name if that
    /// is one.
    static func namedSplit(_ url: URL) -> String? {
        func word(_ part: String) -> String? {
            let letters = String(part.lowercased().prefix { !$0.isNumber })
            return splitWords.contains(letters) ? letters : nil
        }
        let folder = url.deletingLastPathComponent().lastPathComponent
        return nameParts(url).reversed().lazy.compactMap(word).first ?? word(folder)
    }

    /// A shard's name without `.tar`, cut at `-`, `_` and `.`.
    private static func nameParts(_ url: URL) -> [String] {
        url.deletingPathExtension().lastPathComponent.split(whereSeparator: { "-_.".contains($0) }).map(String.init)
    }

    /// Shards read without `--split`: all of them when their names say at most one split, else the test split's,
    /// else an error listing the splits (reading train and test as one set scores train images against themselves).
    private static func withoutSplit(_ files: [URL], folders: [URL], name: String) throws -> WebDatasetShards {
        let named = Set(files.compactMap(namedSplit))
        guard named.count > 1 else { return WebDatasetShards(files: files, split: nil, folders: folders) }
        guard named.contains("test") else { throw DatasetError.splitRequired(dataset: name, available: named.sorted()) }
        let test = files.filter { namedSplit($0) == "test" }
        return WebDatasetShards(files: test, split: "test", folders: test.first.map(around) ?? folders)
    }

    private static func pattern(_ pattern: String, split: String?, name: String) throws -> WebDatasetShards {
        var files = try BracePattern.expand(pattern).map { URL(fileURLWithPath: $0) }
        if let split {
            let all = files.count
            files = files.filter { isNamed($0, like: split) }
            guard !files.isEmpty else {
                throw DatasetError.noSuchSplit(dataset: name, split: split, hint: "none of the \(all) shards the pattern names is named like it (\(splitNaming(split)))")
            }
        }
        if let missing = files.first(where: { !isFile($0) }) {
            throw DatasetError.missingFile(what: "shard", path: missing.path, remedy: "named by the brace pattern '\(pattern)'")
        }
        let folders = files.first.map(around) ?? []
        return split == nil ? try withoutSplit(files, folders: folders, name: name) : WebDatasetShards(files: files, split: split, folders: folders)
    }

    private static func folder(_ url: URL, split: String?, name: String) throws -> WebDatasetShards {
        if let split {
            let sub = url.appendingPathComponent(split)
            if isFolder(sub) {
                let files = try tars(in: sub)
                guard !files.isEmpty else {
                    throw DatasetError.malformed(kind: "WebDataset folder", path: sub.path, location: nil, reason: "holds no .tar shards")
                }
                return WebDatasetShards(files: files, split: split, folders: [sub, url])
            }
            let all = try tars(in: url)
            let files = all.filter { isNamed($0, like: split) }
            guard !files.isEmpty else {
                let folders = try subFolders(url).map(\.lastPathComponent)
                throw DatasetError.noSuchSplit(dataset: name, split: split, hint: "no sub-folder '\(split)' and no shard named like it (\(splitNaming(split))) in '\(url.path)' (its shards: \(sample(all.map(\.lastPathComponent))); its sub-folders: \(sample(folders)))")
            }
            return WebDatasetShards(files: files, split: split, folders: [url, url.deletingLastPathComponent()])
        }
        let files = try tars(in: url)
        guard !files.isEmpty else {
            let splits = try subFolders(url).filter { !(try tars(in: $0)).isEmpty }.map(\.lastPathComponent)
            throw DatasetError.malformed(kind: "WebDataset folder", path: url.path, location: nil,
                                         reason: splits.isEmpty ? "holds no .tar shards"
                                            : "holds no .tar shards itself; its sub-folders \(sample(splits.map { "'\($0)'" })) do: choose one with --split")
        }
        return try withoutSplit(files, folders: [url, url.deletingLastPathComponent()], name: name)
    }

    /// The `.tar` files of a folder (not hidden ones), in `naturallyOrdered` order.
    static func tars(in folder: URL) throws -> [URL] {
        try entries(folder).filter { $0.lowercased().hasSuffix(".tar") }.sorted(by: naturallyOrdered)
            .map { folder.appendingPathComponent($0) }.filter(isFile)
    }

    /// Names compared run by run: runs of ASCII digits as the numbers they write, other bytes as bytes; names that
    /// tie that way (`01` and `1`) by their bytes.
    static func naturallyOrdered(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var i = 0, j = 0
        func digits(_ s: [UInt8], from start: Int) -> ArraySlice<UInt8> { s[start...].prefix { (0x30...0x39).contains($0) } }
        while i < x.count, j < y.count {
            let m = digits(x, from: i), n = digits(y, from: j)
            if m.isEmpty || n.isEmpty {
                if x[i] != y[j] { return x[i] < y[j] }
                i += 1
                j += 1
                continue
            }
            let p = m.drop { $0 == 0x30 }, q = n.drop { $0 == 0x30 }
            if p.count != q.count { return p.count < q.count }
            if !p.elementsEqual(q) { return p.lexicographicallyPrecedes(q) }
            i += m.count
            j += n.count
        }
        if i < x.count || j < y.count { return i >= x.count }   // a name that runs out first comes first
        return x.lexicographicallyPrecedes(y)
    }

    private static func subFolders(_ folder: URL) throws -> [URL] {
        try entries(folder).map { folder.appendingPathComponent($0) }.filter(isFolder)
    }

    private static func entries(_ folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { !$0.hasPrefix(".") }
                .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        } catch {
            throw DatasetError.unreadable(path: folder.path, reason: error.localizedDescription)
        }
    }

    private static func around(_ shard: URL) -> [URL] {
        let folder = shard.deletingLastPathComponent()
        return [folder, folder.deletingLastPathComponent()]
    }

    private static func splitNaming(_ split: String) -> String { "'\(split).tar', '\(split)-….tar', '\(split)_….tar' or in a folder '\(split)'" }

    private static func sample(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.prefix(6).joined(separator: ", ") + (names.count > 6 ? ", …" : "")
    }

    static func isFile(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && !flag.boolValue
    }

    static func isFolder(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}
