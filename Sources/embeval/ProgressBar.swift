import Embeval
import Foundation

/// Draws each stage's progress on stderr (it is only handed to the library when the bar should be drawn).
struct TerminalProgress: ProgressSink {
    func start(_ label: String, total: Int) -> any ProgressCounter { ProgressBar(label.trimmingCharacters(in: .whitespaces), total: total) }
}

/// A progress bar with rate and ETA on stderr, redrawn at most ten times a second.
final class ProgressBar: ProgressCounter, @unchecked Sendable {
    private let label: String
    private let total: Int
    private let start = Date()
    private var done = 0
    private var lastDraw = Date.distantPast
    private let lock = NSLock()

    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
    }

    func advance(by n: Int) {
        lock.lock(); defer { lock.unlock() }
        done += n
        guard Date().timeIntervalSince(lastDraw) > 0.1 || done >= total else { return }
        lastDraw = Date()
        draw()
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        draw()
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw() {
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30, filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let eta = rate > 0 ? Double(max(total - done, 0)) / rate : 0
        let line = String(format: "\r%@ %@ %d/%d  %.1f/s  ETA %@ ", label, bar, done, total, rate, Self.clock(eta))
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
