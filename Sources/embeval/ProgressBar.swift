import Embeval
import Foundation

/// Draws each stage's progress on stderr (it is only handed to the library when the bar should be drawn).
struct TerminalProgress: ProgressSink {
    func start(_ label: String, total: Int) -> any ProgressCounter { start(label, total: total, completed: 0) }

    func start(_ label: String, total: Int, completed: Int) -> any ProgressCounter {
        ProgressBar(label.trimmingCharacters(in: .whitespaces), total: total, completed: completed, redrawn: isatty(2) != 0)
    }
}

/// A progress bar with rate and ETA on stderr, redrawn at most ten times a second; where stderr is a log file (a
/// Slurm job's, a pod's), one line every ten seconds instead. A resumed stage starts at what was done before, and
/// its rate counts only what this process does.
final class ProgressBar: ProgressCounter, @unchecked Sendable {
    private let label: String
    private let total: Int
    private let start = Date()
    private let completed: Int
    private let redrawn: Bool
    private var done: Int
    private var lastDraw = Date.distantPast
    private let lock = NSLock()

    init(_ label: String, total: Int, completed: Int = 0, redrawn: Bool = true) {
        self.label = label
        self.total = total
        self.completed = completed
        self.redrawn = redrawn
        done = completed
    }

    func advance(by n: Int) {
        lock.lock(); defer { lock.unlock() }
        done += n
        guard Date().timeIntervalSince(lastDraw) > (redrawn ? 0.1 : 10) || (redrawn && done >= total) else { return }
        lastDraw = Date()
        draw()
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        draw()
        if redrawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func draw() {
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done - completed) / elapsed : 0
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30, filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let eta = rate > 0 ? Double(max(total - done, 0)) / rate : 0
        let line = String(format: "%@%@ %@ %d/%d  %.1f images/s  ETA %@ %@", redrawn ? "\r" : "", label, bar, done, total, rate,
                          Self.clock(eta), redrawn ? "" : "\n")
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
