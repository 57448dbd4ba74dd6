/// Everything that stops an evaluation, comparison or check from running; each description is one line.
public enum EvaluationError: UserError, Equatable {
    /// A setting outside its range: `name` as the user sets it (`--temperature`), `expected` the range.
    case invalidParameter(name: String, value: String, expected: String)
    /// A needed input that was not given, or given in a combination that cannot work.
    case missingInput(String)
    /// The two towers of a two-tower model embed into spaces of different widths.
    case towersDisagree(model: String, image: Int, text: Int)
    /// A class-names file with fewer names than the dataset has classes.
    case tooFewClassNames(file: String, names: Int, dataset: String, classes: Int)
    /// A train split whose classes are not the evaluated split's.
    case splitClassesDiffer(split: String, train: [String], test: [String])
    /// Precomputed train and evaluated sets whose class names differ.
    case setClassesDiffer(train: [String], test: [String])
    /// Baseline and candidate that cannot be paired.
    case incompatibleSides(String)
    /// A failure on one side of a comparison (`baseline`, `candidate`).
    case side(name: String, reason: String)
    /// An expectations file, or one of its entries, that cannot be used (`entry` nil for the file as a whole).
    case expectations(file: String, entry: Int?, reason: String)
    /// A saved report that cannot be read back.
    case unreadableReport(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let expected):
            return "\(name) must be \(expected), got \(value)"
        case .missingInput(let reason), .incompatibleSides(let reason):
            return reason
        case .side(let name, let reason):
            return "\(name): \(reason)"
        case .towersDisagree(let model, let image, let text):
            return "\(model): image embeddings are \(image)-dimensional but text embeddings \(text)-dimensional: the two towers do not share one space"
        case .tooFewClassNames(let file, let names, let dataset, let classes):
            return "class names file '\(file)' has \(names) names; dataset '\(dataset)' has \(classes) classes"
        case .setClassesDiffer(let train, let test):
            func shown(_ names: [String]) -> String { "\(names.prefix(5))" + (names.count > 5 ? "…" : "") }
            return "the train embeddings have classes \(shown(train)) but the evaluated ones have \(shown(test)): they must match (write both with the same classes.txt, or leave it out to name classes by their labels)"
        case .splitClassesDiffer(let split, let train, let test):
            return "train split '\(split)' has classes \(train.prefix(5))… but the evaluated split has \(test.prefix(5))…: they must match"
        case .expectations(let file, let entry, let reason):
            return "'\(file)'" + (entry.map { " entry \($0)" } ?? "") + ": \(reason)"
        case .unreadableReport(let path, let reason):
            return "report '\(path)': \(reason)"
        }
    }
}
