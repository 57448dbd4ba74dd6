import Foundation

/// The outcome of `embeval check`: one row per expectation, and the verdict over all of them.
public struct CheckReport: Report {
    public struct Entry: Codable, Sendable {
        public var model: String?
        /// The model as the table names it.
        public var displayName: String
        public var task: String
        public var dataset: String
        public var metric: String
        public var k: Int?
        public var expected: Double
        public var tolerance: Double
        public var measured: Double
        /// The 95% bootstrap interval of the measured figure (nil for figures that are not a mean over samples).
        public var ci95: [Double]?
        public var verdict: Verdict
        enum CodingKeys: String, CodingKey {
            case model, displayName = "display_name", task, dataset, metric, k, expected, tolerance, measured, ci95, verdict
        }
    }

    public var task = "check"
    public var verdict: Verdict
    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
        verdict = Verdict.combined(entries.map(\.verdict))
    }

    public func text() -> String {
        let rows = entries.map { e in
            // Percentages with two decimals; fractions (NMI, ARI, V-measure) with four.
            let digits = Metric(name: e.metric)?.unit == .fraction ? 4 : 2
            let number = { (x: Double) in String(format: "%.\(digits)f", x) }
            return [e.displayName, e.task, e.metric + (e.k.map { "@\($0)" } ?? ""), "\(number(e.expected)) ± \(number(e.tolerance))", number(e.measured),
                    e.ci95.map { "[\(number($0[0])), \(number($0[1]))]" } ?? "", e.verdict.rawValue]
        }
        return TerminalTable.table(header: ["Model", "Task", "Metric", "Expected", "Measured", "95% CI", "Verdict"], rows: rows,
                                   alignments: [.left, .left, .left, .right, .right, .right, .left])
            + "\nVerdict: \(verdict.rawValue) (\(entries.filter { $0.verdict == .pass }.count)/\(entries.count) PASS)"
    }
}
