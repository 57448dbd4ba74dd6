import Foundation

/// What a folder of query-shard neighbours is, as its `manifest.json` records it: which queries were searched, in
/// what, and how many neighbours each kept. `knn --merge-neighbours` accepts only shards whose records agree with
/// each other and with the embeddings it is given.
public struct NeighbourRecord: Codable, Equatable, Sendable {
    /// Shard `index` of `count`, the query rows `start..<end` of `queries`.
    public var shard: ExtractionRecord.ShardRange
    public var `protocol`: KNNProtocol
    /// Neighbours kept per query: the largest k asked for, capped to the candidates.
    public var k: Int
    public var queries: Int
    public var references: Int
    /// The embedding sets searched (poolings), in order.
    public var sets: [String]
    /// SHA-256 of what identifies the inputs: every set's rows, width, ids and labels, queries and references, and
    /// the model they come from when a manifest records it (`NeighbourRecord.inputs`).
    public var inputs: String

    /// The first way `other` (a shard on disk) is not a shard of this search, in words; nil when it is.
    func difference(from other: NeighbourRecord) -> String? {
        if inputs != other.inputs || queries != other.queries || references != other.references || sets != other.sets {
            return "it searched other embeddings (\(other.queries) queries against \(other.references) references of \(other.sets.joined(separator: ",")); here \(queries) against \(references) of \(sets.joined(separator: ",")), or other rows, ids or labels)"
        }
        if self.protocol != other.protocol { return "it ran protocol \(other.protocol.rawValue); here \(self.protocol.rawValue)" }
        if k != other.k { return "it kept \(other.k) neighbours per query; here the largest k is \(k) (give the same --k)" }
        return nil
    }

    /// The identity of a search's inputs (see `inputs`).
    static func inputs(_ data: EmbeddedData, protocol: KNNProtocol) throws -> String {
        var hash = try SHA256()
        func add(_ text: String) throws { try hash.update(Array((text + "\n").utf8)) }
        try add("embeval-neighbours-v1 \(`protocol`.rawValue)")
        if case .object(let pairs) = data.model.metadata, let record = pairs.first(where: { $0.0 == "extraction" })?.1 {
            try add((record["model"]?["sha256"] ?? .null).serialized())
            try add((record["dataset"]?["fingerprint"] ?? .null).serialized())
        }
        for set in data.sets {
            for embeddings in [set.query] + (`protocol` == .trainTest ? [set.train].compactMap { $0 } : []) {
                try add("\(set.pooling) \(embeddings.count)×\(embeddings.dimension)")
                var text = ""
                for (id, label) in zip(embeddings.ids, embeddings.labels) {
                    text += "\(id)\t\(label)\n"
                    if text.utf8.count > 1 << 16 { try hash.update(Array(text.utf8)); text = "" }
                }
                try hash.update(Array(text.utf8))
            }
        }
        return SHA256.hexString(try hash.finalize())
    }
}

/// `knn --shard i/n`'s output and `knn --merge-neighbours`' input: per embedding set, the k nearest references of one
/// shard of the queries — `indices.npy` (int64, queries × k, rows of the reference set) and `similarities.npy`
/// (float32, matching) — in the folder itself for one set, else in a sub-folder per pooling, with a manifest
/// recording a `NeighbourRecord`. Written whole or not at all (`OutputFolder`).
public enum NeighbourShards {
    public static let files = ["indices.npy", "similarities.npy"]

    /// Writes one shard's neighbours (one `NearestNeighbors` per set, in `record.sets` order) as the folder `output`.
    static func write(_ neighbours: [NearestNeighbors], record: NeighbourRecord, to output: URL) throws {
        let names = record.sets.count == 1 ? [""] : record.sets.map(Pooling.folderName(for:))
        let folder = try OutputFolder(output, kind: "neighbours", ownedNames: { files.contains($0) || names.contains($0) || $0 == SetManifest.fileName })
        try folder.fill { staging in
            for (found, name) in zip(neighbours, names) {
                let directory = staging.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try NumpyArray.write(integers: found.indices.map(Int.init), rows: found.queryCount, columns: found.k,
                                     to: directory.appendingPathComponent("indices.npy"))
                try NumpyArray.write(Matrix(rows: found.queryCount, columns: found.k, values: found.similarities),
                                     to: directory.appendingPathComponent("similarities.npy"))
            }
        }
        try folder.commit(rows: record.shard.end - record.shard.start, neighbours: record)
    }

    /// Reads the shards at `paths` (shard folders, or folders holding them), checks they are all the shards of the
    /// search `expected` describes, and joins each set's neighbours over all queries, in shard order.
    static func read(_ paths: [URL], expected: NeighbourRecord) throws -> [NearestNeighbors] {
        var byIndex = [Int: (folder: URL, record: NeighbourRecord)]()
        for folder in try paths.flatMap({ try ShardSet.shardFolders(in: $0) }) {
            guard let manifest = try SetManifest.verified(in: folder), manifest.kind == "neighbours", let record = manifest.neighbours else {
                throw ShardError.incompatible(shard: folder.path, reason: "not a folder written by embeval knn --shard (no manifest.json recording its neighbours)")
            }
            if let difference = expected.difference(from: record) {
                throw ShardError.incompatible(shard: folder.path, reason: "not a shard of this search: \(difference)")
            }
            if let other = byIndex.values.first, other.record.shard.count != record.shard.count {
                throw ShardError.incompatible(shard: folder.path, reason: "is shard \(record.shard) but '\(other.folder.path)' is shard \(other.record.shard): shards of different splits cannot be joined")
            }
            if let twin = byIndex.updateValue((folder, record), forKey: record.shard.index) {
                throw ShardError.incompatible(shard: folder.path, reason: "is shard \(record.shard), as is '\(twin.folder.path)' (given twice?)")
            }
        }
        guard let count = byIndex.values.first?.record.shard.count else { throw ShardError.invalid("no neighbour shard folders given") }
        var ordered = [(folder: URL, record: NeighbourRecord)](), end = 0
        for index in 0..<count {
            guard let shard = byIndex[index] else {
                throw ShardError.missing(try Shard(index: index, count: count), given: byIndex.keys.sorted().map(String.init))
            }
            guard shard.record.shard.start == end, shard.record.shard.end >= shard.record.shard.start else {
                throw ShardError.incompatible(shard: shard.folder.path, reason: "holds queries \(shard.record.shard.start)..<\(shard.record.shard.end), but the shards before it end at \(end): overlapping or missing queries")
            }
            end = shard.record.shard.end
            ordered.append(shard)
        }
        guard end == expected.queries else {
            throw ShardError.incompatible(shard: ordered.last?.folder.path ?? "", reason: "the shards hold \(end) of the \(expected.queries) queries")
        }
        let names = expected.sets.count == 1 ? [""] : expected.sets.map(Pooling.folderName(for:))
        return try names.map { name in
            var indices = [Int32](), similarities = [Float]()
            for shard in ordered {
                let directory = shard.folder.appendingPathComponent(name)
                let (i, s) = try readShard(directory, rows: shard.record.shard.end - shard.record.shard.start, k: expected.k,
                                           references: expected.references,
                                           firstQuery: expected.protocol == .leaveOneOut ? shard.record.shard.start : nil)
                indices += i
                similarities += s
            }
            return NearestNeighbors(precomputedIndices: indices, similarities: similarities, k: expected.k)
        }
    }

    /// One set's neighbours in one shard folder, checked as a search writes them: `rows × k`, indices of existing
    /// references, each listed once per row and never the query itself under leave-one-out (`firstQuery`: the
    /// shard's first query, which is also its reference index), finite similarities, most similar first.
    static func readShard(_ directory: URL, rows: Int, k: Int, references: Int, firstQuery: Int?) throws -> ([Int32], [Float]) {
        let indicesFile = directory.appendingPathComponent("indices.npy"), similaritiesFile = directory.appendingPathComponent("similarities.npy")
        let indices = try NumpyArray.readIntegerMatrix(at: indicesFile)
        let similarities = try NumpyArray.readMatrix(at: similaritiesFile)
        guard indices.rows == rows, indices.columns == k, similarities.rows == rows, similarities.columns == k else {
            throw EmbeddingError.malformedFile(path: directory.path, location: nil, reason: "holds \(indices.rows)×\(indices.columns) neighbours, its manifest says \(rows)×\(k)")
        }
        if let bad = indices.values.firstIndex(where: { $0 < 0 || $0 >= references }) {
            throw EmbeddingError.malformedFile(path: indicesFile.path, location: "element \(bad)", reason: "index \(indices.values[bad]) is not one of the \(references) references")
        }
        for r in 0..<rows {
            let list = indices.values[(r * k)..<((r + 1) * k)], scores = similarities.values[(r * k)..<((r + 1) * k)]
            if let firstQuery, list.contains(firstQuery + r) {
                throw EmbeddingError.malformedFile(path: indicesFile.path, location: "row \(r)", reason: "lists query \(firstQuery + r) as its own neighbour, which leave-one-out excludes")
            }
            if Set(list).count != k {
                throw EmbeddingError.malformedFile(path: indicesFile.path, location: "row \(r)", reason: "lists a reference twice")
            }
            if scores.contains(where: { !$0.isFinite }) {
                throw EmbeddingError.malformedFile(path: similaritiesFile.path, location: "row \(r)", reason: "holds a NaN or infinite similarity")
            }
            if zip(scores, scores.dropFirst()).contains(where: { $0 < $1 }) {
                throw EmbeddingError.malformedFile(path: similaritiesFile.path, location: "row \(r)", reason: "is not ordered most similar first, as a search writes it")
            }
        }
        return (indices.values.map { Int32($0) }, similarities.values)
    }
}
