// Embedding sets as `embed` writes them (Embedding/EmbeddingFiles.swift, StoredSets, Sharding/ShardSet.swift,
// Sharding/NeighbourShards.swift, Support/OutputFolder.swift's SetManifest). The input is a folder of files, each
// introduced by a line `== NAME` (at most three path components: `manifest.json`, `cls/embeddings.npy`,
// `neighbours/0/indices.npy`). The folder is loaded as every command loads `--embeddings`; scored by the image-side
// protocols (kNN leave-one-out, retrieval, k-means; the linear probe with the set as its own train set; kNN voting
// with the query shards' neighbours in `neighbours/`, and one query shard searched and written as `knn --shard 0/2`
// does); and merged as `embeval merge` joins shards. The two writers must write nothing outside their outputs.
import Embeval
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSet(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let root = FuzzInput.folder.appendingPathComponent("set", isDirectory: true)
    let merged = FuzzInput.folder.appendingPathComponent("merged", isDirectory: true)
    let searched = FuzzInput.folder.appendingPathComponent("searched", isDirectory: true)
    for folder in [root, merged, searched] { try? FileManager.default.removeItem(at: folder) }
    guard FuzzInput.unpack(FuzzInput.bytes(data, size), into: root, depth: 3) else { return 0 }

    let files = EmbeddingFiles(paths: [root], labels: .stored)
    if (try? files.loadSets()) != nil, let context = try? EvaluationContext(),
       let knn = try? KNNSettings(ks: [1, 5]), let cluster = try? ClusterSettings(initialisations: 2),
       let linear = try? LinearSettings(C: 1, maxIterations: 50) {
        let scored = try? ProtocolSuite(protocols: [.knn, .retrieval, .cluster], source: .files(files), knn: knn,
                                        linear: linear, cluster: cluster)
        _ = try? scored?.run(context)
        let probed = try? ProtocolSuite(protocols: [.linear], source: .files(files, train: files), knn: knn,
                                        linear: linear, cluster: cluster)
        _ = try? probed?.run(context)
        // Query shards' neighbours (`knn --shard i/n --neighbours-output`) in `neighbours/`, voted with.
        let neighbours = root.appendingPathComponent("neighbours")
        if FileManager.default.fileExists(atPath: neighbours.path), let five = try? KNNSettings(ks: [5]) {
            _ = try? KNNTask(source: .files(files), settings: five, neighbourShards: [neighbours]).run(context)
        }
        // And the other side: the first of two query shards searched and written (`knn --shard 0/2`).
        if let shard = try? Shard(index: 0, count: 2) {
            _ = try? KNNTask(source: .files(files), settings: knn).searchShard(shard, into: searched, context: context)
        }
    }
    _ = try? EmbeddingMerge.run(shards: [root], into: merged)
    // The merge and the shard search write inside their outputs only: anything else in the scratch folder is a
    // finding (F27).
    let beside = ((try? FileManager.default.contentsOfDirectory(atPath: FuzzInput.folder.path)) ?? [])
        .filter { !["set", "merged", "searched"].contains($0) }
    if !beside.isEmpty { fatalError("fuzz-set: \(beside) written outside the outputs") }
    return 0
}
