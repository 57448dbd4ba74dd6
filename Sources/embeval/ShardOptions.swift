import ArgumentParser
import Embeval
import Foundation

/// Which shard of a run this process does: `--shard i/n`, or a job array's environment with `--shards n`.
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Do shard INDEX of COUNT (numbered from 0): a contiguous 1/COUNT of the samples. Wins over the environment; 0/1 is the whole set.", valueName: "index/count"),
            transform: Shard.init(parsing:))
    var shard: Shard?

    @Option(parsing: .unconditional, help: "The number of shards, when the index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (default for Slurm: SLURM_ARRAY_TASK_COUNT).")
    var shards: Int?

    /// The shard of this process (nil: the whole set), with a note on stderr when the environment chose it.
    func assignment() throws -> ShardAssignment? {
        let resolved = try ShardAssignment.resolve(flag: shard, shards: shards)
        if let resolved, resolved.origin != "--shard" {
            FileHandle.standardError.write(Data("note: shard \(resolved.shard) from \(resolved.origin) (--shard 0/1 runs the whole set)\n".utf8))
        }
        return resolved
    }
}
