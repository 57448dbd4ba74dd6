import CFileSystem
import Foundation

/// A folder of results written whole or not at all (`embed`'s embeddings, `explore`'s maps).
///
/// Everything is written into a staging folder beside the target; a `manifest.json` naming each file and its size
/// is written last; then the staging folder is swapped into place in one atomic exchange (Linux `renameat2`). A
/// reader — or a run killed at any moment — sees the old complete set or the new one. The target may only be a new
/// path, an empty folder, or a folder this tool wrote before (its manifest, or only the file names it writes):
/// nothing else of the user's is ever replaced.
public struct OutputFolder: Sendable {
    public let target: URL
    /// Where the files go until `commit`.
    public let staging: URL
    let kind: String
    /// What the user keeps beside an earlier set of this kind (a report, a `.DS_Store`): carried into the new set,
    /// since a run replaces its own files, never theirs.
    let carried: [String]

    /// Prepares to replace `target` with a set of `kind` (`embeddings`, `explore`); `ownedNames` are the file names
    /// (and folder names) such a set has, so that an older set without a manifest may be replaced too.
    public init(_ target: URL, kind: String, ownedNames: (String) -> Bool) throws {
        // Through a symbolic link, the folder it points at is replaced and the link stays.
        self.target = OutputFile.resolved(target)
        self.kind = kind
        let parent = self.target.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotCreate(path: parent.path, reason: OutputFile.reason(error))
        }
        carried = try Self.checkReplaceable(self.target, kind: kind, ownedNames: ownedNames)
        Self.removeAbandonedStaging(beside: self.target)
        staging = parent.appendingPathComponent(".\(self.target.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        do { try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false) } catch {
            throw OutputError.cannotCreate(path: target.path, reason: OutputFile.reason(error))
        }
    }

    /// Prepares to replace `target` with a set staged in `staging`, a folder the caller keeps across runs (a
    /// resumable extraction's); it is created if missing and kept if present.
    init(_ target: URL, kind: String, ownedNames: (String) -> Bool, staging: URL) throws {
        self.target = OutputFile.resolved(target)
        self.kind = kind
        carried = try Self.checkReplaceable(self.target, kind: kind, ownedNames: ownedNames)
        Self.removeAbandonedStaging(beside: self.target)
        self.staging = staging
        do { try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotCreate(path: target.path, reason: OutputFile.reason(error))
        }
    }

    /// Runs `body` to write the set into `staging`; a failure deletes the staging folder and names the target.
    public func fill(_ body: (URL) throws -> Void) throws {
        do { try body(staging) } catch {
            abandon()
            if case OutputError.cannotWrite(let path, let reason) = error {
                throw OutputError.cannotWrite(path: path.replacingOccurrences(of: staging.path, with: target.path), reason: reason)
            }
            throw error
        }
    }

    /// Writes the manifest of what `staging` holds, then swaps it into place; the old set, if any, is deleted.
    public func commit(rows: Int? = nil, dimension: Int? = nil, extraction: ExtractionRecord? = nil, neighbours: NeighbourRecord? = nil) throws {
        do {
            let manifest = try SetManifest(kind: kind, describing: staging, rows: rows, dimension: dimension, extraction: extraction,
                                           neighbours: neighbours)
            try manifest.write(into: staging)
            try carryOver()
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) {
                if embeval_exchange_paths(staging.path, target.path) == 0 {
                    try? FileManager.default.removeItem(at: staging)     // now the old set
                    return
                }
                // No atomic exchange here: move the old set aside, the new one in, then delete the old one.
                let old = staging.appendingPathExtension("old")
                try FileManager.default.moveItem(at: target, to: old)
                try FileManager.default.moveItem(at: staging, to: target)
                try? FileManager.default.removeItem(at: old)
            } else {
                try FileManager.default.moveItem(at: staging, to: target)
            }
        } catch let error as any UserError {
            abandon()
            throw error
        } catch {
            abandon()
            throw OutputError.cannotWrite(path: target.path, reason: OutputFile.reason(error))
        }
    }

    /// Links (or, across devices, copies) the user's entries into the staging folder before the swap: a run killed
    /// before it leaves them where they were, and after it they are in the new set. Not in its manifest, they stay
    /// the user's on the next run too.
    private func carryOver() throws {
        for name in carried {
            let from = target.appendingPathComponent(name), to = staging.appendingPathComponent(name)
            guard !FileManager.default.fileExists(atPath: to.path) else { continue }
            if link(from.path, to.path) != 0 { try FileManager.default.copyItem(at: from, to: to) }
        }
    }

    /// Deletes the staging folder: the target keeps what it held.
    public func abandon() {
        try? FileManager.default.removeItem(at: staging)
    }

    /// Refuses a target that is a file, or a folder that is not embeval's results of `kind`: a folder replaced holds
    /// embeval's manifest of a `kind` set (not a `manifest.json` of the user's, nor another kind of set such as the
    /// embeddings a command reads), or, for sets older than manifests, only the names such a set has. Returns the
    /// entries beside a manifested set that are not the set's, to carry into the new one.
    @discardableResult
    static func checkReplaceable(_ target: URL, kind: String, ownedNames: (String) -> Bool) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else {
            throw OutputError.cannotWrite(path: target.path, reason: "it is a file (expected a folder for the results)")
        }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? []).sorted()
        guard entries.contains(SetManifest.fileName) else {
            if let foreign = entries.first(where: { !ownedNames($0) }) {
                throw OutputError.cannotWrite(path: target.path, reason: "the folder holds '\(foreign)', which embeval did not write; choose a new or empty folder")
            }
            return []
        }
        let data = FileManager.default.contents(atPath: target.appendingPathComponent(SetManifest.fileName).path) ?? Data()
        guard let manifest = try? JSONDecoder().decode(SetManifest.self, from: data) else {
            throw OutputError.cannotWrite(path: target.path, reason: "the folder holds a 'manifest.json' that embeval did not write; choose a new or empty folder")
        }
        guard manifest.kind == kind else {
            throw OutputError.cannotWrite(path: target.path, reason: "the folder holds embeval's \(manifest.kind) set, not \(kind) results; choose a new or empty folder")
        }
        let listed = Set(manifest.files.compactMap { $0.name.split(separator: "/").first.map(String.init) } + [SetManifest.fileName])
        return entries.filter { !listed.contains($0) && !ownedNames($0) }
    }

    /// Staging folders of runs that were killed (their process is gone) are deleted.
    static func removeAbandonedStaging(beside target: URL) {
        let parent = target.deletingLastPathComponent(), prefix = ".\(target.lastPathComponent).tmp-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0.isNumber }), kill(pid, 0) != 0 else { continue }
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
        }
    }
}

/// The list of what a folder of results holds, written last: a folder whose files do not match it is incomplete
/// or mixed, and is refused.
public struct SetManifest: Codable, Sendable, Equatable {
    public static let fileName = "manifest.json"

    public struct File: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
    }

    public var kind: String
    public var rows: Int?
    public var dimension: Int?
    public var files: [File]
    public var embeval: String
    /// What an extraction set is (model, dataset fingerprint, settings, shard); nil in other sets and older ones.
    public var extraction: ExtractionRecord?
    /// What a folder of query-shard neighbours is (`knn --shard`); nil in other sets.
    public var neighbours: NeighbourRecord?

    /// The manifest of what `directory` holds (every regular file, recursively, by relative path).
    init(kind: String, describing directory: URL, rows: Int?, dimension: Int?, extraction: ExtractionRecord? = nil,
         neighbours: NeighbourRecord? = nil) throws {
        self.kind = kind
        self.rows = rows
        self.dimension = dimension
        self.extraction = extraction
        self.neighbours = neighbours
        embeval = EmbevalInfo.version
        var files = [File]()
        let base = directory.standardizedFileURL.path + "/"
        if let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey]) {
            for case let url as URL in walker {
                let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
                guard values.isRegularFile == true else { continue }
                let path = url.standardizedFileURL.path
                let name = path.hasPrefix(base) ? String(path.dropFirst(base.count)) : url.lastPathComponent
                if name == Self.fileName { continue }
                files.append(File(name: name, bytes: values.fileSize ?? 0))
            }
        }
        self.files = files.sorted { $0.name < $1.name }
    }

    func write(into directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try OutputFile(directory.appendingPathComponent(Self.fileName).path).write(try encoder.encode(self))
    }

    /// The manifest in `directory`, if there is one; its files must be there with the sizes it lists.
    public static func verified(in directory: URL) throws -> SetManifest? {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let manifest: SetManifest
        do { manifest = try JSONDecoder().decode(SetManifest.self, from: data) } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            // A value the record's own type refused (a shard out of range): say which, not only that it is foreign.
            throw EmbeddingError.malformedFile(path: url.path, location: context.field, reason: context.debugDescription)
        } catch {
            throw EmbeddingError.malformedFile(path: url.path, location: nil, reason: "not a manifest written by embeval")
        }
        for file in manifest.files {
            let path = directory.appendingPathComponent(file.name).path
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            guard size == file.bytes else {
                throw EmbeddingError.malformedFile(path: directory.path, location: nil,
                                                   reason: "'\(file.name)' is \(size.map { "\($0) bytes" } ?? "missing") but the set's manifest lists \(file.bytes) bytes: an incomplete or mixed set (rewrite it with embeval embed)")
            }
        }
        return manifest
    }
}
