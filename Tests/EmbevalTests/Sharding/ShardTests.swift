import Foundation
import Testing
@testable import Embeval

/// Shard arithmetic and where a process's shard comes from.
struct ShardTests {
    @Test(arguments: [(2000, 64, 4), (2000, 32, 7), (10, 3, 4), (5, 1, 5), (1000, 1000, 1)])
    func shardsAreBatchAlignedContiguousAndCoverEverything(items: Int, batch: Int, count: Int) throws {
        var end = 0
        for index in 0..<count {
            let range = try Shard(index: index, count: count).range(of: items, batchSize: batch)
            #expect(range.lowerBound == end)
            #expect(range.lowerBound % batch == 0)
            #expect(!range.isEmpty)
            end = range.upperBound
        }
        #expect(end == items)
    }

    @Test func moreShardsThanBatchesAreRefused() throws {
        #expect(throws: ShardError.self) { try Shard(index: 0, count: 5).range(of: 100, batchSize: 32) }
        // `--batch-size 9223372036854775807 --shard 0/2` overflowed counting the batches (a trap, signal 4).
        #expect(throws: ShardError.self) { try Shard(index: 0, count: 2).range(of: 100, batchSize: .max) }
        #expect(try Shard(index: 0, count: 1).range(of: 100, batchSize: .max) == 0..<100)
    }

    @Test(arguments: [("1/4", 1, 4), (" 0 / 1 ", 0, 1), ("3/4", 3, 4)])
    func parsesIndexOverCount(text: String, index: Int, count: Int) throws {
        #expect(try Shard(parsing: text) == Shard(index: index, count: count))
    }

    @Test(arguments: ["4/4", "-1/4", "1/0", "x", "1/", "1/2/3"])
    func refusesBadShards(text: String) {
        #expect(throws: ShardError.self) { try Shard(parsing: text) }
    }

    @Test func theFlagWinsOverTheEnvironment() throws {
        let environment = ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "8"]
        let resolved = try ShardAssignment.resolve(flag: Shard(index: 1, count: 2), shards: nil, environment: environment)
        #expect(resolved == ShardAssignment(shard: try Shard(index: 1, count: 2), origin: "--shard"))
    }

    @Test func slurmArraysAndIndexedJobsAreRead() throws {
        let slurm = try ShardAssignment.resolve(flag: nil, shards: nil, environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"])
        #expect(slurm?.shard == (try Shard(index: 2, count: 4)))
        // --array=1-4: the minimum is subtracted.
        let fromOne = try ShardAssignment.resolve(flag: nil, shards: nil, environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"])
        #expect(fromOne?.shard == (try Shard(index: 3, count: 4)))
        let kubernetes = try ShardAssignment.resolve(flag: nil, shards: 5, environment: ["JOB_COMPLETION_INDEX": "0"])
        #expect(kubernetes == ShardAssignment(shard: try Shard(index: 0, count: 5), origin: "JOB_COMPLETION_INDEX"))
        #expect(try ShardAssignment.resolve(flag: nil, shards: nil, environment: [:]) == nil)
    }

    @Test(arguments: [
        (nil as Int?, ["JOB_COMPLETION_INDEX": "1"], "--shards N"),
        (4, [:], "needs this process's shard"),
        (4, ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "8"], "disagree"),
        (nil, ["SLURM_ARRAY_TASK_ID": "1", "JOB_COMPLETION_INDEX": "2", "SLURM_ARRAY_TASK_COUNT": "4"], "JOB_COMPLETION_INDEX gives 2"),
        (nil, ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"], "numbered 0 to 3"),
        (nil, ["SLURM_ARRAY_TASK_ID": "one", "SLURM_ARRAY_TASK_COUNT": "4"], "not an integer"),
        // Values no array sets trapped: an index less a minimum of Int.min overflowed, a count below 1 made 0..<count.
        (nil, ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "-9223372036854775808"], "SLURM_ARRAY_TASK_MIN"),
        (-3, ["JOB_COMPLETION_INDEX": "0"], "the number of shards must be between 1 and 1000000, got -3 (--shards)"),
        (nil, ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "-5"], "got -5 (SLURM_ARRAY_TASK_COUNT)"),
        (0, ["JOB_COMPLETION_INDEX": "0"], "got 0 (--shards)"),
    ])
    func inconsistentEnvironmentsAreRefused(shards: Int?, environment: [String: String], message: String) {
        do {
            _ = try ShardAssignment.resolve(flag: nil, shards: shards, environment: environment)
            Issue.record("accepted \(environment)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func theRowWriterWritesWhatNumpyArrayWrites() throws {
        let dir = TestPaths.scratch()
        let (m, _) = clusteredEmbeddings(rows: 37, columns: 5, classes: 3, seed: 1)
        let streamed = dir.appendingPathComponent("streamed.npy"), whole = dir.appendingPathComponent("whole.npy")
        let writer = try NumpyRowWriter(creating: streamed, columns: 5)
        try writer.append(m.selectingRows(Array(0..<20)))
        // Killed here and reopened at the recorded length, with a half-written batch beyond it.
        let recorded = writer.bytes
        try writer.append(m.selectingRows(Array(20..<30)))
        let resumed = try NumpyRowWriter(continuing: streamed, columns: 5, bytes: recorded)
        try resumed.append(m.selectingRows(Array(20..<37)))
        try resumed.finish()
        try NumpyArray.write(m, to: whole)
        #expect(try Data(contentsOf: streamed) == Data(contentsOf: whole))
        // Read back mapped, in blocks, and across the parts of a concatenation.
        let mapped = try #require(try MappedMatrix.open(streamed))
        #expect(mapped.materialized() == m)
        let joined = ConcatenatedRows([mapped, m])
        #expect(joined.selectingRows([35, 36, 37, 38]) == Matrix(rowVectors: [m.row(35), m.row(36), m.row(0), m.row(1)]))
        #expect(joined.withRows(30..<40) { Array($0) } == Array(m.values[(30 * 5)...]) + Array(m.values[..<(3 * 5)]))
    }

    /// The scan `--resume` makes of the rows it continues from: NaN, +Inf and −Inf in either storage, found in a later
    /// megabyte block; the largest finite values and the bytes past the recorded length are not.
    @Test(arguments: StoredFloat.allCases)
    func stagedRowsHoldingNaNOrInfAreFound(storage: StoredFloat) throws {
        let url = TestPaths.scratch().appendingPathComponent("staged-\(storage).npy")
        let columns = 1000, rows = 600
        let largest: Float = storage == .float32 ? .greatestFiniteMagnitude : 65504
        let writer = try NumpyRowWriter(creating: url, columns: columns, storage: storage)
        try writer.append(Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { $0 % 7 == 0 ? -largest : largest }))
        let recorded = writer.bytes
        try writer.append(Matrix(rows: 1, columns: columns, repeating: .nan))
        #expect(try NumpyRowWriter.nonFiniteRow(in: url, columns: columns, bytes: recorded, storage: storage) == nil)
        for (row, value) in [(0, Float.nan), (537, .infinity), (rows - 1, -.infinity)] {
            var bytes = try Data(contentsOf: url)
            let start = NumpyRowWriter.headerSize + (row * columns + 999) * storage.width
            let encoded = storage == .float32 ? withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
                : withUnsafeBytes(of: HalfFloat.halfBits(from: value).littleEndian) { Array($0) }
            bytes.replaceSubrange(start..<(start + storage.width), with: encoded)
            let poisoned = url.deletingLastPathComponent().appendingPathComponent("poisoned-\(storage).npy")
            try bytes.write(to: poisoned)
            #expect(try NumpyRowWriter.nonFiniteRow(in: poisoned, columns: columns, bytes: recorded, storage: storage) == row, "\(value)")
        }
    }

    @Test func aMappedSearchEqualsTheInMemoryOne() throws {
        let dir = TestPaths.scratch()
        let (m, labels) = clusteredEmbeddings(rows: 700, columns: 12, classes: 5, seed: 4)
        let url = dir.appendingPathComponent("e.npy")
        try NumpyArray.write(m, to: url)
        let mapped = try #require(try MappedMatrix.open(url))
        let classifier = KNNClassifier(ks: [10], weighting: .similarity)
        let inMemory = NearestNeighbors(queries: m.l2NormalizedRows(), references: m.l2NormalizedRows(), k: 10, excludingSelf: true)
        let fromDisk = classifier.neighbours(of: mapped, labels: labels)
        // The whole-set search computes each pair once (q·r serves r too); sgemm may round r·q differently in the
        // last bit, so similarities agree to float precision and the neighbours exactly.
        #expect(fromDisk.indices == inMemory.indices)
        #expect(zip(fromDisk.similarities, inMemory.similarities).allSatisfy { abs($0 - $1) <= 1e-6 })
        // A query shard finds the same rows of neighbours.
        let shard = classifier.neighbours(of: mapped, labels: labels, queries: 300..<450)
        #expect(shard.indices == Array(inMemory.indices[(300 * 10)..<(450 * 10)]))
    }
}
