import Foundation

/// This process's shard and where it came from: `--shard i/n`, or the environment a job array sets.
///
/// Precedence: `--shard i/n` wins and the environment is not read (so a shard can be re-run by hand inside an
/// allocation; `--shard 0/1` runs the whole set). Otherwise the index is `SLURM_ARRAY_TASK_ID` (minus
/// `SLURM_ARRAY_TASK_MIN`, so `--array=1-4` works too) or Kubernetes' `JOB_COMPLETION_INDEX`, and the count is
/// `--shards n`, else `SLURM_ARRAY_TASK_COUNT`. Values that disagree, an index without a count, a count without an
/// index, or an index outside the count are refused — never guessed.
public struct ShardAssignment: Equatable, Sendable {
    public var shard: Shard
    /// Where the shard came from, for messages: `--shard`, `SLURM_ARRAY_TASK_ID`, `JOB_COMPLETION_INDEX`.
    public var origin: String

    public init(shard: Shard, origin: String) {
        self.shard = shard
        self.origin = origin
    }

    /// The shard of this process; nil when neither the flags nor the environment say (the whole set).
    public static func resolve(flag: Shard?, shards: Int?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ShardAssignment? {
        if let flag {
            if let shards, shards != flag.count {
                throw ShardError.invalid("--shard \(flag) and --shards \(shards) disagree on the number of shards")
            }
            return ShardAssignment(shard: flag, origin: "--shard")
        }
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw ShardError.invalid("\(name)='\(text)' is not an integer") }
            return value
        }
        var slurm = try integer("SLURM_ARRAY_TASK_ID")
        if let id = slurm, let minimum = try integer("SLURM_ARRAY_TASK_MIN") {
            let (index, overflow) = id.subtractingReportingOverflow(minimum)
            guard !overflow else {
                throw ShardError.invalid("SLURM_ARRAY_TASK_ID=\(id) less SLURM_ARRAY_TASK_MIN=\(minimum) is no shard index")
            }
            slurm = index
        }
        let kubernetes = try integer("JOB_COMPLETION_INDEX")
        if let slurm, let kubernetes, slurm != kubernetes {
            throw ShardError.invalid("SLURM_ARRAY_TASK_ID gives shard \(slurm) but JOB_COMPLETION_INDEX gives \(kubernetes): pass --shard i/n to say which")
        }
        let slurmCount = slurm == nil ? nil : try integer("SLURM_ARRAY_TASK_COUNT")
        if let shards, let slurmCount, shards != slurmCount {
            throw ShardError.invalid("--shards \(shards) but SLURM_ARRAY_TASK_COUNT=\(slurmCount): the array and the flag disagree on the number of shards")
        }
        let origin = slurm != nil ? "SLURM_ARRAY_TASK_ID" : "JOB_COMPLETION_INDEX"
        guard let index = slurm ?? kubernetes else {
            if let shards {
                throw ShardError.invalid("--shards \(shards) needs this process's shard: --shard i/\(shards), SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
            }
            return nil
        }
        guard let count = shards ?? slurmCount else {
            throw ShardError.invalid("\(origin)=\(index) is set but not the number of shards: pass --shards N (the array's size, or the Job's completions)")
        }
        guard (1...Shard.largestCount).contains(count) else {
            throw ShardError.invalid("the number of shards must be between 1 and \(Shard.largestCount), got \(count) (\(shards != nil ? "--shards" : "SLURM_ARRAY_TASK_COUNT"))")
        }
        guard (0..<count).contains(index) else {
            throw ShardError.invalid("\(origin) gives shard \(index) of \(count): shards are numbered 0 to \(count - 1) (a Slurm array must be contiguous, e.g. --array=0-\(count - 1))")
        }
        return ShardAssignment(shard: try Shard(index: index, count: count), origin: origin)
    }
}
