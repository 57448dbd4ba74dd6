/// Everything that stops a metric from being computed; each description is one line.
public enum MetricError: UserError, Equatable {
    /// A protocol that needs more samples than it was given.
    case tooFewSamples(metric: String, needed: Int, got: Int)
    /// A protocol that needs more classes (or samples per class) than the data has.
    case tooFewClasses(metric: String, needed: Int, got: Int, what: String)
    /// Two sets that do not describe the same samples, or vectors of different widths.
    case incompatibleSets(String)
    /// A parameter outside its range: `name` as the user sets it, `expected` the range.
    case invalidParameter(name: String, value: String, expected: String)
    /// Labels under which the metric cannot say anything (no query has a relevant item).
    case degenerateLabels(String)
    /// A fit that produced no model worth scoring (an optimiser that could not leave its start).
    case notFitted(String)

    public var description: String {
        switch self {
        case .tooFewSamples(let metric, let needed, let got):
            return "\(metric) needs at least \(needed) sample\(needed == 1 ? "" : "s"), got \(got)"
        case .tooFewClasses(let metric, let needed, let got, let what):
            return "\(metric) needs at least \(needed) classes in the \(what), got \(got)"
        case .incompatibleSets(let reason), .degenerateLabels(let reason), .notFitted(let reason):
            return reason
        case .invalidParameter(let name, let value, let expected):
            return "\(name) must be \(expected), got \(value)"
        }
    }
}
