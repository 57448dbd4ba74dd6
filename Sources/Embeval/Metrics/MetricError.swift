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
    /// Neighbour lists (`option` of them for each of `points`) that would take `needed` bytes, more than half of the
    /// `available` bytes the process may use; `most` neighbours a point would fit.
    case neighboursPastMemory(option: String, neighbours: Int, points: Int, needed: Int, available: Int, most: Int)
    /// A computation whose working memory (`what`) would take `needed` bytes, more than the `available` bytes the
    /// process may use; `remedy` says what takes less.
    case pastMemory(what: String, needed: Int, available: Int, remedy: String)

    public var description: String {
        switch self {
        case .tooFewSamples(let metric, let needed, let got):
            return "\(metric) needs at least \(needed) sample\(needed == 1 ? "" : "s"), got \(got)"
        case .tooFewClasses(let metric, let needed, let got, let what):
            return "\(metric) needs at least \(needed) classes in the \(what), got \(got)"
        case .incompatibleSets(let reason), .degenerateLabels(let reason), .notFitted(let reason):
            return reason
        case .neighboursPastMemory(let option, let neighbours, let points, let needed, let available, let most):
            return "\(option) \(neighbours): \(neighbours) neighbours for each of \(points) samples would take about \(ProcessMemory.readable(needed)), "
                + "more than half of the \(ProcessMemory.readable(available)) this process may use; "
                + (most >= 1 ? "use \(option) \(most) or less" : "even 1 does not fit: use fewer samples")
        case .pastMemory(let what, let needed, let available, let remedy):
            return "\(what) would take about \(ProcessMemory.readable(needed)), more than the \(ProcessMemory.readable(available)) this process may use; \(remedy)"
        case .invalidParameter(let name, let value, let expected):
            return "\(name) must be \(expected), got \(value)"
        }
    }
}

extension MetricError {
    /// Throws `pastMemory` when an estimate of `needed` bytes (a Double: estimates may pass `Int`'s range) exceeds
    /// `memoryBytes`: asked before a computation whose working memory grows with the data or a user's setting.
    static func checkMemory(_ what: @autoclosure () -> String, needed: Double, memoryBytes: Int, remedy: @autoclosure () -> String) throws {
        guard needed > Double(memoryBytes) else { return }
        throw MetricError.pastMemory(what: what(), needed: needed >= 9e18 ? Int.max : Int(needed), available: memoryBytes, remedy: remedy())
    }

    /// Throws `neighboursPastMemory` for lists of `neighbours` for each of `points` (`option` names the k the user
    /// set) that would take more than half of `memoryBytes` (`ProcessMemory.neighbourListExcess`): asked before a
    /// search, by every protocol whose lists grow with a user's k.
    static func checkNeighbourLists(option: String, points: Int, neighbours: Int, bytesPerNeighbour: Int, memoryBytes: Int) throws {
        guard let excess = ProcessMemory.neighbourListExcess(points: points, neighbours: neighbours, bytesPerNeighbour: bytesPerNeighbour,
                                                             memoryBytes: memoryBytes) else { return }
        throw MetricError.neighboursPastMemory(option: option, neighbours: neighbours, points: points, needed: excess.needed,
                                               available: memoryBytes, most: excess.most)
    }
}
