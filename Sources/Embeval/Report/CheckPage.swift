import Foundation

/// `check --html`: one row per expectation — expected value and band, measured value and 95 % interval, verdict —
/// and a plot of each measured interval against its expected band (as the difference to the expected value).
/// Self-contained (`ReportPage`).
public struct CheckPage: Sendable {
    public var report: CheckReport

    public init(report: CheckReport) { self.report = report }

    public func html() -> String {
        let rows = report.entries.map { e -> [String] in
            let digits = Metric(name: e.metric)?.unit == .fraction ? 4 : 2
            let number = { (x: Double) in String(format: "%.\(digits)f", x) }
            return [e.displayName, e.task, e.dataset, Self.label(e), "\(number(e.expected)) ± \(number(e.tolerance))", number(e.measured),
                    e.ci95.map { "[\(number($0[0])), \(number($0[1]))]" } ?? "", e.verdict.rawValue]
        }
        var sections = [ReportPage.fields([("Expectations", String(report.entries.count)),
                                           ("Passed", String(report.entries.filter { $0.verdict == .pass }.count)),
                                           ("Embeval", EmbevalInfo.version)]),
                        ReportPage.verdictLine(report.verdict)]
        sections.append(ReportPage.section("Expectations", ReportPage.table(
            header: ["Model", "Task", "Dataset", "Metric", "Expected", "Measured", "95 % CI", "Verdict"], rows: rows, numeric: [4, 5, 6])))
        sections.append(ReportPage.section("Measured against expected", ReportFigures.forestPlot(plotted)
            + ReportPage.note("Measured − expected with the 95 % interval of the measured figure; the green band is the expectation's ±tolerance.")))
        return ReportPage.document(title: "Check", sections: sections)
    }

    /// Each entry's measured − expected with its interval, against its tolerance.
    var plotted: [(label: String, delta: Double, low: Double, high: Double, verdict: Verdict, tolerance: Double)] {
        report.entries.map { e in
            ("\(e.displayName): \(Self.label(e))", e.measured - e.expected, (e.ci95?.first ?? e.measured) - e.expected,
             (e.ci95?.last ?? e.measured) - e.expected, e.verdict, e.tolerance)
        }
    }

    /// The page's figure as SVG (`--plots`).
    public func figures() -> [(name: String, svg: String)] { [("expectations", ReportFigures.forestPlot(plotted))] }

    static func label(_ e: CheckReport.Entry) -> String { e.metric + (e.k.map { "@\($0)" } ?? "") }

    public func write(to path: String) throws { try OutputFile(path).write(html()) }
}
