import Foundation

/// The table files (`.parquet`, `.arrow`) of a Hugging Face dataset grouped by split, as the hub names them:
///
/// - `data/test-00000-of-00003.parquet` (what `push_to_hub` writes; older files add `-<hash>`): the part before
///   `-NNNNN-of-NNNNN`, `test`;
/// - `test/0000.parquet` (the hub's `refs/convert/parquet` branch, under a config folder): the folder, `test`;
/// - `test-0.parquet`, `train_01.parquet`: the part before the trailing number;
/// - `test.parquet`: the name itself.
///
/// Files of a split are read in the order of their paths' UTF-8 bytes (the shard numbers' order).
struct SplitFiles: Equatable {
    /// Split name → its files in reading order.
    var splits: [String: [URL]]

    static let extensions: Set<String> = ["parquet", "arrow"]
    /// Folders deeper than this under the dataset folder are not searched (the hub's layouts are 2 deep).
    static let deepestFolder = 4
    /// More table files than this in one dataset folder are refused rather than listed.
    static let mostFiles = 100_000

    /// The table files under `root` (hidden entries, such as `.cache` and `.git`, are left out).
    static func scan(_ root: URL) throws(DatasetError) -> SplitFiles {
        var files = [URL]()
        try collect(root, depth: 0, into: &files)
        return SplitFiles(files, root: root)
    }

    /// `files` grouped by the split their path (relative to `root`) names.
    init(_ files: [URL], root: URL) {
        var splits = [String: [URL]]()
        let base = root.standardizedFileURL.pathComponents
        for file in files {
            var components = file.standardizedFileURL.pathComponents
            if components.starts(with: base) { components.removeFirst(base.count) }
            // A file directly in `root` whose name gives no split takes the folder's own name.
            let folders = components.count > 1 ? Array(components.dropLast()) : [root.lastPathComponent]
            splits[Self.split(name: file.lastPathComponent, folders: folders), default: []].append(file)
        }
        self.splits = splits.mapValues { $0.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) } }
    }

    /// The split a file's name (and the folders above it) names.
    static func split(name: String, folders: [String]) -> String {
        let stem = (name as NSString).deletingPathExtension
        // `test-00000-of-00003` and `test-00000-of-00003-0123abcd`.
        if let range = stem.range(of: #"-[0-9]+-of-[0-9]+(-[0-9A-Za-z]+)?$"#, options: .regularExpression), range.lowerBound > stem.startIndex {
            return String(stem[..<range.lowerBound])
        }
        // `0000`: the folder above.
        if !stem.isEmpty, stem.allSatisfy(\.isNumber), let folder = folders.last { return folder }
        // `test-0`, `train_01`.
        if let range = stem.range(of: #"[-_][0-9]+$"#, options: .regularExpression), range.lowerBound > stem.startIndex {
            return String(stem[..<range.lowerBound])
        }
        return stem
    }

    /// Why the files of one split named `-i-of-n` (what `push_to_hub` writes) are not the whole split — a shard
    /// missing (a partly downloaded snapshot), two files of one shard, shards of two uploads —; nil when they are,
    /// or are not named so.
    static func incompleteness(of files: [URL]) -> String? {
        let numbered = files.compactMap { file -> (name: String, prefix: String, index: Int, count: Int)? in
            let stem = file.deletingPathExtension().lastPathComponent
            guard let range = stem.range(of: #"-[0-9]+-of-[0-9]+(-[0-9A-Za-z]+)?$"#, options: .regularExpression) else { return nil }
            let numbers = stem[range].split(separator: "-").prefix(3)
            guard numbers.count == 3, let index = Int(numbers[numbers.startIndex]), let count = Int(numbers[numbers.startIndex + 2]) else { return nil }
            return (file.lastPathComponent, String(stem[..<range.lowerBound]), index, count)
        }
        guard let first = numbered.first else { return nil }
        if let other = numbered.first(where: { $0.count != first.count }) {
            return "has shards of \(first.count) and of \(other.count) files (\(first.name), \(other.name)): files of two uploads? remove the stale ones"
        }
        var byIndex = [Int: String]()
        for shard in numbered {
            if let earlier = byIndex[shard.index] {
                return "has two files of shard \(shardNumber(shard.index)) (\(earlier) and \(shard.name)): remove the stale one"
            }
            byIndex[shard.index] = shard.name
        }
        // The first index missing is at most the number of files, however large the count a name declares.
        if let missing = (0..<first.count).first(where: { byIndex[$0] == nil }) {
            return "has \(byIndex.count) of its \(first.count) shards: no shard \(shardNumber(missing)) (\(first.prefix)-\(shardNumber(missing))-of-\(shardNumber(first.count))…); a partly downloaded snapshot? give the missing file, or a glob of the shards wanted"
        }
        if let beyond = numbered.first(where: { $0.index >= first.count }) {
            return "has a shard \(beyond.name) beyond its \(first.count) shards"
        }
        return nil
    }

    /// A shard number as the hub writes it, five digits.
    private static func shardNumber(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    private static func collect(_ folder: URL, depth: Int, into files: inout [URL]) throws(DatasetError) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw DatasetError.unreadable(path: folder.path, reason: error.localizedDescription)
        }
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if depth < deepestFolder { try collect(url, depth: depth + 1, into: &files) }
            } else if extensions.contains(url.pathExtension.lowercased()) {
                guard files.count < mostFiles else {
                    throw DatasetError.malformed(kind: "dataset folder", path: folder.path, location: nil, reason: "holds more than \(mostFiles) table files")
                }
                files.append(url)
            }
        }
    }

    /// Whether `folder` holds a table file within `deepestFolder` levels (without listing them all).
    static func holdsTables(_ folder: URL, depth: Int = 0) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return false }
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if depth < deepestFolder, holdsTables(url, depth: depth + 1) { return true }
            } else if extensions.contains(url.pathExtension.lowercased()) {
                return true
            }
        }
        return false
    }
}
