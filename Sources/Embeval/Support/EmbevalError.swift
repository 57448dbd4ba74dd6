/// An error a user can act on: one line naming the file, row or tensor and what was expected.
///
/// `input` and `usage` mean bad input (exit code 2); `io` a file that could not be written; `runtime` a failure
/// inside a C library.
public enum EmbevalError: Error, CustomStringConvertible, Equatable {
    case input(String)
    case usage(String)
    case io(String)
    case runtime(String)

    /// The same error with `context` (a file and entry, a side) in front of its message.
    public func prefixed(_ context: String) -> EmbevalError {
        switch self {
        case .input(let m): .input("\(context): \(m)")
        case .usage(let m): .usage("\(context): \(m)")
        case .io(let m): .io("\(context): \(m)")
        case .runtime(let m): .runtime("\(context): \(m)")
        }
    }

    public var description: String {
        switch self {
        case .input(let m), .usage(let m), .io(let m), .runtime(let m): m
        }
    }
}
