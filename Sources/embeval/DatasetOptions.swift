import ArgumentParser
import Embeval

/// Which images to evaluate: the source, its split, and a seeded subset.
struct DatasetOptions: ParsableArguments {
    @Option(help: "fashion-mnist, cifar10:DIR, cifar100:DIR, a folder of class sub-folders, a .csv/.jsonl manifest (path,label), an IDX images file, Hugging Face parquet/Arrow (a file, a folder of shards, a glob, a save_to_disk folder), a hub dataset id owner/name (read from the local hub cache), or WebDataset shards (a .tar, a folder of them, or a pattern like 'shards/test-{000..099}.tar').")
    var dataset: String?

    @Option(help: "Split to use: train|test for fashion-mnist; a sub-folder of a dataset folder; the split a Hugging Face dataset's files name (default: its only split, else test); the WebDataset shards named like it (test-000.tar).")
    var split: String?

    @Option(help: "Revision of a hub dataset id (branch, tag or commit; default main), as cached by huggingface_hub.")
    var revision: String?

    @Option(parsing: .unconditional, help: "Evaluate a seeded random subset of this many samples (SplitMix64 Fisher–Yates, see README).")
    var samples: Int?

    @Option(name: .customLong("seed"), parsing: .unconditional, help: "Seed of the subset and of every other random choice (default 0; explore: giving it makes UMAP's layout single-threaded and bit-reproducible).")
    var givenSeed: UInt64?

    /// The seed of every random choice: `--seed`, else 0.
    var seed: UInt64 { givenSeed ?? 0 }

    @Option(help: ArgumentHelp("Map manifest or table columns, as the seed CLI: input_column=NAME, label_column=NAME.", valueName: "key=value"))
    var column: [String] = []

    @Option(help: "What to do with an image that cannot be decoded: fail (default) or skip (counted and reported).")
    var onBadImage: BadImagePolicy = .fail

    @Option(parsing: .unconditional, help: "Refuse images whose header declares more pixels than this, unread (default: Pillow's decompression-bomb limit, 178956970); images whose decode would not fit in memory are refused whatever it is.")
    var maxImagePixels: Int?

    func imageLimits() throws -> ImageLimits {
        try maxImagePixels.map { try ImageLimits(maximumPixels: $0) } ?? ImageLimits()
    }

    /// `--dataset` with its split, subset and columns; nil when no dataset was given.
    func selection() throws -> DatasetSelection? {
        guard let dataset else { return nil }
        return try DatasetSelection(dataset, split: split, samples: samples, seed: seed, columns: ColumnMapping(arguments: column),
                                    revision: revision)
    }

    /// Refuses `--samples` beside saved rows: it picks what a model embeds, and `--embeddings` are used whole, so
    /// ignoring it would report on rows the user asked to leave out.
    func refuseSubsetOfSavedRows() throws {
        if samples != nil {
            throw ValidationError("--samples subsets the --dataset a model embeds; --embeddings are used whole (pass fewer rows instead)")
        }
    }

    /// The selection, which this command requires.
    func requiredSelection() throws -> DatasetSelection {
        guard let selection = try selection() else { throw ValidationError("--dataset is required (or pass --embeddings)") }
        return selection
    }
}

extension BadImagePolicy: ExpressibleByArgument {}
extension KNNProtocol: ExpressibleByArgument {}
extension VoteWeighting: ExpressibleByArgument {}
