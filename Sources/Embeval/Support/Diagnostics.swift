import Foundation

/// Where the library says what a user should know but that does not stop a run: skipped images, a collapsed
/// embedding space, a capped k. The command-line tool prints each as a `warning:` line on stderr.
public protocol DiagnosticSink: Sendable {
    func warn(_ message: String)
}

/// Keeps every warning, in order: the default sink for library users.
public final class CollectedDiagnostics: DiagnosticSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored = [String]()

    public init() {}

    public func warn(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        stored.append(message)
    }

    public var messages: [String] {
        lock.lock(); defer { lock.unlock() }
        return stored
    }
}

/// Prefixes every warning, e.g. with the side of a comparison (`baseline: skipped 'a.png': …`).
struct LabelledDiagnostics: DiagnosticSink {
    let label: String
    let sink: any DiagnosticSink
    func warn(_ message: String) { sink.warn("\(label): \(message)") }
}

/// Where long stages report how far they are; the command-line tool draws a bar with rate and ETA.
public protocol ProgressSink: Sendable {
    /// A stage of `total` units starts; the counter is advanced as units finish.
    func start(_ label: String, total: Int) -> any ProgressCounter
    /// A stage resumed with `completed` of its units done by an earlier process: a rate counts only what this one does.
    func start(_ label: String, total: Int, completed: Int) -> any ProgressCounter
}

extension ProgressSink {
    public func start(_ label: String, total: Int, completed: Int) -> any ProgressCounter {
        let counter = start(label, total: total)
        if completed > 0 { counter.advance(by: completed) }
        return counter
    }
}

/// One stage's count of finished units.
public protocol ProgressCounter: Sendable {
    func advance(by units: Int)
    func finish()
}
