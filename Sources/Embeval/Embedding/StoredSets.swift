import Foundation

/// Precomputed embeddings as a user points at them, resolved into the `.npy` files to read, per pooling, in order:
///
/// - a `.npy` file (from any tool): one set;
/// - a folder `embed` wrote: its `embeddings.npy`, or one sub-folder per pooling;
/// - a shard folder alone: that shard's rows (`loneShard` says it is one of several);
/// - several shard folders, or a folder holding them (`out/shards/`): the shards of one extraction joined in shard
///   order, checked as `embeval merge` checks them (same extraction, none missing, none twice).
struct StoredSets {
    /// One pooling's files: the sets whose rows follow one another.
    struct Pooling {
        /// `precomputed` for a set of one pooling (as reports have always named it), else the pooling's name.
        var name: String
        var files: [URL]
    }

    var poolings: [Pooling]
    /// What the manifests say the rows are (joined over shards); nil for files another tool wrote.
    var record: ExtractionRecord?
    /// Set when the rows are one shard of a larger run, given alone.
    var loneShard: ExtractionRecord.ShardRange?

    init(poolings: [Pooling], record: ExtractionRecord?, loneShard: ExtractionRecord.ShardRange?) {
        self.poolings = poolings
        self.record = record
        self.loneShard = loneShard
    }

    init(_ paths: [URL]) throws {
        guard let first = paths.first else { throw EvaluationError.missingInput("no embeddings given") }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: first.path, isDirectory: &isDirectory)
        if paths.count == 1 && !(exists && isDirectory.boolValue) {
            // A file: the set's manifest, if it sits in a folder embed wrote, says what it is.
            record = (try? SetManifest.verified(in: first.deletingLastPathComponent()))??.extraction
            loneShard = record?.shard
            poolings = [Pooling(name: "precomputed", files: [first])]
            return
        }
        if paths.count == 1, let set = try Self.setFolder(first) {
            self = set
            return
        }
        let shards = try ShardSet(paths)
        let joined = shards.joinedRecord
        record = joined
        loneShard = nil
        poolings = Self.poolings(of: joined, in: shards.members.map(\.folder))
    }

    /// A folder holding one set (a whole run, or one shard of it), or nil when it holds shard folders instead.
    private static func setFolder(_ folder: URL) throws -> StoredSets? {
        let manifest = try SetManifest.verified(in: folder)
        let hasRows = FileManager.default.fileExists(atPath: folder.appendingPathComponent("embeddings.npy").path)
        guard manifest != nil || hasRows else { return nil }
        let record = manifest?.extraction
        if hasRows {
            return StoredSets(poolings: [Pooling(name: "precomputed", files: [folder.appendingPathComponent("embeddings.npy")])],
                              record: record, loneShard: record?.shard)
        }
        guard let record, record.poolings.count > 1 else {
            throw EmbeddingError.unreadable(path: folder.path, reason: "the folder holds no embeddings.npy")
        }
        return StoredSets(poolings: poolings(of: record, in: [folder]), record: record, loneShard: record.shard)
    }

    /// Each pooling of `record` in the folders (its sub-folder when there are several poolings).
    private static func poolings(of record: ExtractionRecord, in folders: [URL]) -> [Pooling] {
        if record.poolings.count == 1 {
            return [Pooling(name: "precomputed", files: folders.map { $0.appendingPathComponent("embeddings.npy") })]
        }
        return record.poolings.map { name in
            Pooling(name: name, files: folders.map {
                $0.appendingPathComponent(Embeval.Pooling.folderName(for: name)).appendingPathComponent("embeddings.npy")
            })
        }
    }
}
