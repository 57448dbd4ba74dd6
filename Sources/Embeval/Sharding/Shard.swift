import Foundation

/// One of `count` deterministic slices of a run: shard `index` (0-based) of `count`.
///
/// Extraction shards are contiguous ranges of the selected samples in dataset order, cut at batch boundaries: the
/// `B = ⌈N / b⌉` batches of size `b` are split as `[⌊i·B/n⌋, ⌊(i+1)·B/n⌋)`. So every shard runs exactly the batches
/// a single process would run, and merged shards are byte for byte the single run even for models whose outputs
/// depend on what shares a batch (dynamically quantised int8). Query shards of `knn` split rows the same way, with
/// `b = 1`.
public struct Shard: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    /// The most shards a run may have.
    public static let largestCount = 1_000_000

    public init(index: Int, count: Int) throws {
        guard (1...Self.largestCount).contains(count) else {
            throw ShardError.invalid("the shard count must be between 1 and \(Self.largestCount), got \(count)")
        }
        guard (0..<count).contains(index) else {
            throw ShardError.invalid("the shard index must be between 0 and \(count - 1) (shards are numbered from 0), got \(index)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/n` as typed after `--shard`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let index = parts[0], let count = parts[1] else {
            throw ShardError.invalid("expected INDEX/COUNT, e.g. 0/4 (shards are numbered from 0)")
        }
        try self.init(index: index, count: count)
    }

    /// `2/4`.
    public var description: String { "\(index)/\(count)" }

    /// The whole run as one shard.
    public var isWhole: Bool { count == 1 }

    /// This shard's positions among `items` items run in batches of `batchSize`; refused when there are fewer
    /// batches than shards (a shard would be empty).
    public func range(of items: Int, batchSize: Int) throws -> Range<Int> {
        let size = max(1, batchSize)
        let batches = items / size + (items % size == 0 ? 0 : 1)   // not (items + size − 1) / size: no overflow at any size
        guard count <= batches else {
            throw ShardError.invalid("--shard \(self): \(items) samples make \(batches) batch(es) of \(size), too few for \(count) shards (use at most \(batches) shards, or a smaller --batch-size)")
        }
        let first = index * batches / count, end = (index + 1) * batches / count
        return (first * size)..<(end == batches ? items : end * size)
    }
}

/// What stops a sharded run or a merge: a bad shard specification, or a set of shards that is not one whole run.
public enum ShardError: UserError, Equatable {
    /// A shard index or count that cannot be used (flag or environment).
    case invalid(String)
    /// Shards that cannot be joined: `shard` names the folder to blame.
    case incompatible(shard: String, reason: String)
    /// A shard missing from the set.
    case missing(Shard, given: [String])
    /// A resume against a run of other settings.
    case resumeMismatch(path: String, reason: String)
    /// A resume from a progress record that no run wrote (edited, or from another program): its counts disagree.
    case corruptProgress(path: String, reason: String)
    /// A resume that finds its finished set at the output, but the set's manifest does not list `file` of it.
    case incompleteSet(path: String, file: String)

    public var description: String {
        switch self {
        case .invalid(let reason): return reason
        case .incompatible(let shard, let reason): return "shard '\(shard)': \(reason)"
        case .missing(let shard, let given):
            return "shard \(shard) is missing: the \(given.count) folder(s) given hold only shard(s) \(given.joined(separator: ", ")) of \(shard.count)"
        case .resumeMismatch(let path, let reason):
            return path.hasSuffix(".partial")
                ? "--resume: the partial extraction in '\(path)' was started with \(reason); run without --resume to start over"
                : "--resume: '\(path)' holds a finished set made with \(reason); run without --resume to replace it"
        case .corruptProgress(let path, let reason):
            return "--resume: '\(path)' cannot be continued from: \(reason); run without --resume to start over"
        case .incompleteSet(let path, let file):
            return "--resume: '\(path)' holds a set whose manifest does not list '\(file)', so it is not complete; run without --resume to replace it"
        }
    }
}
