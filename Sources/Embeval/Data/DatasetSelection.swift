import Foundation

/// Which samples to evaluate: a dataset as the user named it, its split, a seeded subset, and the columns of a
/// tabular source. Every command and every expectation entry opens datasets through this one type.
public struct DatasetSelection: Sendable {
    public var location: DatasetLocation
    public var split: String?
    /// A seeded random subset of this many samples (`Dataset.sampled`); nil for all.
    public var samples: Int?
    public var seed: UInt64
    public var columns: ColumnMapping

    /// `revision`: the Hugging Face hub revision (branch, tag or commit) of a hub dataset id; refused for other datasets
    /// when they are opened.
    public init(_ spec: String, split: String? = nil, samples: Int? = nil, seed: UInt64 = 0,
                columns: ColumnMapping = ColumnMapping(), revision: String? = nil) throws {
        if let samples, samples < 1 { throw DatasetError.invalidCount(option: "--samples", value: samples) }
        guard !spec.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DatasetError.notFound(spec: spec, expected: "a dataset: \(listing(DatasetSpec.formats.map(\.usage)))")
        }
        if let revision, !HubCache.isSafeRevision(revision) {
            throw DatasetError.invalidRevision(revision)
        }
        self.location = DatasetLocation(spec, revision: revision)
        self.split = split
        self.samples = samples
        self.seed = seed
        self.columns = columns
    }

    /// The selected samples of `split` (default: the selection's own), sub-sampled to `samples` if given.
    public func load(split other: String? = nil, samples count: Int? = nil) throws -> Dataset {
        var dataset = try DatasetSpec.open(location, split: other ?? split, columns: columns)
        if let n = count ?? samples { dataset = dataset.sampled(n, seed: seed) }
        return dataset
    }
}

/// The train split of a train/test protocol: its name in the dataset and an optional seeded subset.
public struct TrainSplit: Sendable, Equatable {
    public var split: String
    public var samples: Int?

    public init(_ split: String = "train", samples: Int? = nil) throws {
        if let samples, samples < 1 { throw DatasetError.invalidCount(option: "--train-samples", value: samples) }
        self.split = split
        self.samples = samples
    }
}
