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
