import Foundation

/// Shard folders that together are one whole extraction: each `embed --shard i/n` of the same model, dataset and
/// settings, every index 0..<n exactly once, their sample ranges end to end. Built from folders in any order (or
/// folders holding shard folders); the members come out in shard order. Anything else is refused, naming the shard.
public struct ShardSet: Sendable {
    public struct Member: Sendable {
        public var folder: URL
        public var manifest: SetManifest
        public var record: ExtractionRecord
        public var range: ExtractionRecord.ShardRange
    }

    public let members: [Member]

    /// Reads and checks the shards at `paths`: each a shard folder, or a folder whose sub-folders are shards.
    public init(_ paths: [URL]) throws {
        let folders = try paths.flatMap { try Self.shardFolders(in: $0) }
        var members = [Member]()
        for folder in folders {
            guard let manifest = try SetManifest.verified(in: folder), manifest.kind == "embeddings", let record = manifest.extraction else {
                throw ShardError.incompatible(shard: folder.path, reason: "not a folder written by embeval embed (no manifest.json recording its extraction)")
            }
            guard let range = record.shard else {
                throw ShardError.incompatible(shard: folder.path, reason: "a whole set, not a shard (embed --shard i/n writes shards)")
            }
            members.append(Member(folder: folder, manifest: manifest, record: record, range: range))
        }
        try Self.check(members)
        self.members = members.sorted { $0.range.index < $1.range.index }
    }

    /// A shard folder is itself; a folder holding no set of its own contributes its sub-folders that hold one.
    static func shardFolders(in path: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
            throw EmbeddingError.unreadable(path: path.path, reason: "no such file or folder")
        }
        guard isDirectory.boolValue else {
            throw ShardError.incompatible(shard: path.path, reason: "a file, not a shard folder written by embeval embed --shard")
        }
        if FileManager.default.fileExists(atPath: path.appendingPathComponent(SetManifest.fileName).path) { return [path] }
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: path.path)) ?? []).sorted()
            .filter { !$0.hasPrefix(".") }
            .map { path.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent(SetManifest.fileName).path) }
        guard !children.isEmpty else {
            throw ShardError.incompatible(shard: path.path, reason: "holds neither a set written by embeval embed nor folders of shards")
        }
        return children
    }

    /// Same extraction, same count, each index once, ranges end to end over all the samples.
    static func check(_ members: [Member]) throws {
        guard let first = members.first else { throw ShardError.invalid("no shard folders given") }
        var byIndex = [Int: Member]()
        for member in members {
            if let difference = first.record.difference(from: member.record) {
                throw ShardError.incompatible(shard: member.folder.path, reason: "made with \(difference) than '\(first.folder.path)'")
            }
            guard member.range.count == first.range.count else {
                throw ShardError.incompatible(shard: member.folder.path, reason: "is shard \(member.range) but '\(first.folder.path)' is shard \(first.range): shards of different splits of the run cannot be joined")
            }
            if let twin = byIndex.updateValue(member, forKey: member.range.index) {
                throw ShardError.incompatible(shard: member.folder.path, reason: "is shard \(member.range), as is '\(twin.folder.path)' (given twice?)")
            }
        }
        var end = 0
        for index in 0..<first.range.count {
            guard let member = byIndex[index] else {
                throw ShardError.missing(try Shard(index: index, count: first.range.count), given: byIndex.keys.sorted().map(String.init))
            }
            guard member.range.start == end, member.range.end >= member.range.start else {
                throw ShardError.incompatible(shard: member.folder.path, reason: "covers samples \(member.range.start)..<\(member.range.end), but the shards before it end at \(end): overlapping or missing samples")
            }
            end = member.range.end
        }
        guard end == first.record.dataset.count else {
            throw ShardError.incompatible(shard: byIndex[first.range.count - 1]?.folder.path ?? first.folder.path, reason: "the shards cover \(end) of the \(first.record.dataset.count) samples")
        }
    }

    /// The record of the whole run the shards make: no shard, the shards it was joined from, every skipped sample.
    public var joinedRecord: ExtractionRecord {
        var record = members[0].record
        record.shard = nil
        record.mergedFrom = members.map(\.range)
        record.skipped = members.flatMap(\.record.skipped)
        return record
    }
}
