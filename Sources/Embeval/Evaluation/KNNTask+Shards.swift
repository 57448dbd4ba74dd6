import Foundation

/// Exact kNN is independent per query, so it shards over queries: `knn --shard i/n` finds the neighbours of a
/// contiguous 1/n of the queries against all the references and writes them (`NeighbourShards`); `knn
/// --merge-neighbours` joins every shard's and votes, giving the accuracies of one process exactly.
extension KNNTask {
    /// What `searchShard` wrote.
    public struct ShardOutcome: Sendable {
        public var record: NeighbourRecord
        public var output: URL
        public var seconds: Double
    }

    /// Finds the neighbours of shard `shard` of the queries (for each embedding set) and writes them to `output`.
    public func searchShard(_ shard: Shard, into output: URL, context: EvaluationContext) throws -> ShardOutcome {
        guard case .files = source else {
            throw EvaluationError.missingInput("knn --shard searches precomputed embeddings (--embeddings): embed them first (embed --shard i/n shards that too)")
        }
        let started = Date()
        let prepared = try prepare(context)
        let queries = prepared.embedded.sets[0].query.count
        let range = try shard.range(of: queries, batchSize: 1)
        let record = try searchRecord(of: prepared, shard: shard, queries: range)
        let neighbours = try prepared.embedded.sets.map { set -> NearestNeighbors in
            let classifier = KNNClassifier(ks: [record.k], weighting: .similarity)
            try classifier.checkMemory(queries: range.count, candidates: set.train?.count ?? (queries - 1))
            if prepared.protocol == .trainTest, let train = set.train {
                return classifier.neighbours(of: set.query.rows.slice(range), labels: Array(set.query.labels[range]),
                                             references: train.rows, referenceLabels: train.labels)
            }
            return classifier.neighbours(of: set.query.rows, labels: set.query.labels, queries: range)
        }
        try NeighbourShards.write(neighbours, record: record, to: output)
        return ShardOutcome(record: record, output: OutputFile.resolved(output), seconds: Date().timeIntervalSince(started))
    }

    /// The record of this search's shard `shard` over the query rows `queries` (nil: all of them, for checking
    /// shards against).
    func searchRecord(of prepared: Prepared, shard: Shard, queries: Range<Int>?) throws -> NeighbourRecord {
        let data = prepared.embedded, proto = prepared.protocol
        let first = data.sets[0]
        let references = proto == .trainTest ? first.train?.count ?? 0 : first.query.count
        let candidates = references - (proto == .leaveOneOut ? 1 : 0)
        let largest = (settings.ks ?? [proto.defaultK]).max() ?? proto.defaultK
        guard candidates >= 1 else {
            throw MetricError.tooFewSamples(metric: proto == .leaveOneOut ? "kNN leave-one-out" : "kNN train set", needed: proto == .leaveOneOut ? 2 : 1, got: references)
        }
        guard references <= Int(Int32.max) else {
            throw EvaluationError.invalidParameter(name: "references", value: "\(references)", expected: "at most \(Int32.max) rows")
        }
        let span = queries ?? 0..<first.query.count
        return NeighbourRecord(shard: .init(index: shard.index, count: shard.count, start: span.lowerBound, end: span.upperBound),
                               protocol: proto, k: min(largest, candidates), queries: first.query.count, references: references,
                               sets: data.sets.map(\.pooling), inputs: try NeighbourRecord.inputs(data, protocol: proto))
    }
}
