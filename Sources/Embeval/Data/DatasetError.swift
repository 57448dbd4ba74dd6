/// Everything that can go wrong opening a dataset; each description is one line naming the spec, file or row.
public enum DatasetError: UserError, Equatable {
    /// Nothing at the spec the user typed; `expected` lists the kinds Embeval reads.
    case notFound(spec: String, expected: String)
    /// Something is there, but no format reads it.
    case unknownKind(spec: String, isFolder: Bool, expected: String)
    /// The dataset opened but holds no sample.
    case empty(spec: String)
    /// A file or folder the dataset needs is not there: what it is, where it was looked for, what to do.
    case missingFile(what: String, path: String, remedy: String?)
    /// A file that exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// Content that does not fit its format. `kind` names the file's role (`manifest`), `location` the row, line or
    /// record to blame.
    case malformed(kind: String?, path: String, location: String?, reason: String)
    /// A split the dataset does not have.
    case unknownSplit(dataset: String, split: String, available: [String])
    /// A split that this dataset does not have, with what it does have or how splits are given.
    case noSuchSplit(dataset: String, split: String, hint: String)
    /// A label column the dataset does not have.
    case unknownLabelColumn(dataset: String, column: String, available: [String])
    /// A `--column key=value` that cannot be used.
    case invalidColumn(argument: String, reason: String)
    /// A count that must be positive (`--samples`, `--train-samples`).
    case invalidCount(option: String, value: Int)
    /// A file using a part of its format that Embeval does not read (a codec, an encoding, encryption); `location`
    /// names the row group and column where it was met.
    case unsupported(kind: String, path: String, location: String?, feature: String)
    /// The image or label column of a table cannot be chosen: not there, several candidates, or of a type that
    /// cannot hold images or labels. `path` is the file (or dataset), `reason` says what to set.
    case unusableColumn(path: String, reason: String)
    /// A Hugging Face hub repository id that is neither a path nor in the local hub cache.
    case notInHubCache(repository: String, lookedIn: String, download: String)
    /// A dataset of several splits, none of them asked for (and no `test` to default to).
    case splitRequired(dataset: String, available: [String])
    /// `--revision` given for a dataset that is not a hub repository.
    case revisionWithoutHub(spec: String)
    /// A `--revision` that names no branch, tag or commit (empty, absolute, or with `..`).
    case invalidRevision(String)
    /// A brace pattern naming shards (`shards/test-{000..099}.tar`) that cannot be expanded.
    case invalidPattern(pattern: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let spec, let expected):
            return "dataset '\(spec)' not found: expected \(expected)"
        case .unknownKind(let spec, let isFolder, let expected):
            return "dataset '\(spec)': unknown kind of \(isFolder ? "folder" : "file") (expected \(expected))"
        case .empty(let spec):
            return "dataset '\(spec)' holds no samples"
        case .missingFile(let what, let path, let remedy):
            return "\(what) '\(path)' not found" + (remedy.map { ": \($0)" } ?? "")
        case .unreadable(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .malformed(let kind, let path, let location, let reason):
            return (kind.map { "\($0) " } ?? "") + "'\(path)'" + (location.map { " \($0)" } ?? "") + ": \(reason)"
        case .unknownSplit(let dataset, let split, let available):
            return "\(dataset) has splits \(listing(available.map { "'\($0)'" }, conjunction: "and")), not '\(split)'"
        case .noSuchSplit(let dataset, let split, let hint):
            return "dataset '\(dataset)' has no split '\(split)': \(hint)"
        case .unknownLabelColumn(let dataset, let column, let available):
            return "\(dataset) labels are \(listing(available)), not '\(column)'"
        case .invalidColumn(let argument, let reason):
            return "--column '\(argument)': \(reason)"
        case .invalidCount(let option, let value):
            return "\(option) must be ≥ 1, got \(value)"
        case .unsupported(let kind, let path, let location, let feature):
            return "\(kind) '\(path)'" + (location.map { " \($0)" } ?? "") + ": Embeval does not read \(feature)"
        case .unusableColumn(let path, let reason):
            return "'\(path)': \(reason)"
        case .notInHubCache(let repository, let lookedIn, let download):
            return "dataset '\(repository)' is not a path and not in the Hugging Face hub cache (looked in \(lookedIn)); download it with: \(download)"
        case .splitRequired(let dataset, let available):
            return "dataset '\(dataset)' has splits \(listing(available.map { "'\($0)'" }, conjunction: "and")): choose one with --split"
        case .revisionWithoutHub(let spec):
            return "--revision applies to Hugging Face hub datasets (owner/name), not '\(spec)'"
        case .invalidRevision(let revision):
            return "--revision '\(revision)': expected a branch, tag or commit name (main, refs/convert/parquet, a commit hash)"
        case .invalidPattern(let pattern, let reason):
            return "brace pattern '\(pattern)': \(reason)"
        }
    }
}
