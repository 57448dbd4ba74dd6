/// An error a user can act on: one line naming the file, row, tensor or option and what was expected.
///
/// Each layer has its own enum (`DatasetError`, `ImageError`, `TokenizerError`, `RuntimeError`, `EmbeddingError`,
/// `MetricError`, `ProjectionError`, `OutputError`, `EvaluationError`), whose cases carry what the line needs. The
/// command-line tool prints `description` after `error:` and exits with code 2.
public protocol UserError: Error, CustomStringConvertible, Sendable {}

/// "a, b or c" (`conjunction` "and" for "a, b and c").
func listing(_ items: [String], conjunction: String = "or") -> String {
    items.count < 2 ? items.joined() : items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
}
