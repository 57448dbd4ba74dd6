import ArgumentParser
import Embeval

/// Which images to evaluate: the source, its split, and a seeded subset.
struct DatasetOptions: ParsableArguments {
    @Option(help: "fashion-mnist, a folder of class sub-folders, a .csv/.jsonl manifest (path,label), or an IDX images file.")
    var dataset: String?

    @Option(help: "Split to use: train|test for fashion-mnist; a sub-folder of a dataset folder.")
    var split: String?

    @Option(help: "Evaluate a seeded random subset of this many samples (SplitMix64 Fisher–Yates, see README).")
    var samples: Int?

    @Option(help: "Seed of the subset and of every other random choice.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Map manifest columns, as the seed CLI: input_column=NAME, label_column=NAME.", valueName: "key=value"))
    var column: [String] = []

    @Option(help: "What to do with an image that cannot be decoded: fail (default) or skip (counted and reported).")
    var onBadImage: BadImagePolicy = .fail

    func validate() throws {
        if let samples, samples < 1 { throw ValidationError("--samples must be ≥ 1, got \(samples)") }
    }

    /// Loads `--dataset` (or `spec`) at `split`, sub-sampled as asked.
    func load(split override: String? = nil, samples count: Int? = nil) throws -> Dataset {
        guard let dataset else { throw EmbevalError.usage("--dataset is required (or pass --embeddings)") }
        var loaded = try DatasetSpec.load(dataset, split: override ?? split, columns: ColumnMapping(arguments: column))
        if let n = count ?? samples { loaded = loaded.sampled(n, seed: seed) }
        return loaded
    }
}

extension BadImagePolicy: ExpressibleByArgument {}
extension KNNProtocol: ExpressibleByArgument {}
extension VoteWeighting: ExpressibleByArgument {}
