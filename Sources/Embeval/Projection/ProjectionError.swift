/// Everything that stops a map from being made or extended; each description is one line.
public enum ProjectionError: UserError, Equatable {
    /// Fewer points than the method can map: `method` with its parameter, and what to change.
    case tooFewPoints(method: String, needed: Int, got: Int, remedy: String?)
    /// A NaN or infinite value in the input (`input` names it: `PCA`, `t-SNE input`).
    case nonFinite(input: String, row: Int)
    /// Input that does not fit the fitted map or the method (widths, shapes).
    case incompatibleInput(String)
    /// A fit whose neighbour graph (`neighbours` for each of `points`) would take `needed` bytes: more than half of
    /// the `available` bytes the process may use; `remedy` says what to lower and how far.
    case tooLargeForMemory(method: String, points: Int, neighbours: Int, needed: Int, available: Int, remedy: String)
    /// A parameter outside what the method accepts.
    case invalidParameter(String)
    /// A saved map that cannot be used.
    case invalidMap(path: String, reason: String)

    public var description: String {
        switch self {
        case .tooFewPoints(let method, let needed, let got, let remedy):
            return "\(method) needs at least \(needed) points, got \(got)" + (remedy.map { " (\($0))" } ?? "")
        case .nonFinite(let input, let row):
            return "\(input): row \(row) has a NaN or infinite value"
        case .tooLargeForMemory(let method, let points, let neighbours, let needed, let available, let remedy):
            return "\(method): \(neighbours) neighbours for each of \(points) points would take about \(ProcessMemory.readable(needed)), "
                + "more than half of the \(ProcessMemory.readable(available)) this process may use (\(remedy))"
        case .incompatibleInput(let reason), .invalidParameter(let reason):
            return reason
        case .invalidMap(let path, let reason):
            return "map '\(path)': \(reason)"
        }
    }
}
