import Foundation

/// `retrieval --html`: the page of a retrieval run — header, the recall@k and mAP@R table, and recall against k,
/// one line per pooling and direction (how fast recall climbs with depth). Self-contained (`ReportPage`).
public struct RetrievalPage: Sendable {
    public var report: RetrievalReport

    public init(report: RetrievalReport) { self.report = report }

    public func html() -> String {
        var fields: [(String, String)] = [("Model", report.modelName), ("Dataset", report.dataset.name)]
        if let split = report.dataset.split { fields.append(("Split", split)) }
        fields.append(("Samples", String(report.samples)))
        if let captions = report.captions { fields.append(("Captions", String(captions))) }
        if case .string(let sha)? = report.model["sha256"] { fields.append(("Model sha256", sha)) }
        fields.append(("Embeval", report.versions.embeval))
        fields.append(("Time", report.timings.text))
        var sections = [ReportPage.fields(fields)]
        let ks = report.parameters.recallK
        let rows = report.results.map { r in
            [r.direction, r.pooling, String(r.queries)]
                + ks.map { k in r.recallAtK.first { $0.k == k }.map { String(format: "%.2f", $0.recall) } ?? "" }
                + [r.mapAtR.map { String(format: "%.2f", $0) } ?? "–"]
        }
        sections.append(ReportPage.section("Results", ReportPage.table(
            header: ["Direction", "Pooling", "Queries"] + ks.map { "R@\($0) (%)" } + ["mAP@R (%)"], rows: rows,
            numeric: Set(2..<(4 + ks.count)))))
        if let curve = figures().first {
            sections.append(ReportPage.section("Recall against k", curve.svg
                + ReportPage.note("Recall@k (%) for every k evaluated, one line per pooling and direction.")))
        }
        return ReportPage.document(title: "Retrieval: \(report.modelName)", sections: sections)
    }

    /// The page's figure as SVG (`--plots`): recall against k, when several k were evaluated.
    public func figures() -> [(name: String, svg: String)] {
        guard report.parameters.recallK.count > 1 else { return [] }
        let series = report.results.map { r in
            ("\(r.direction), \(r.pooling)", r.recallAtK.map { (Double($0.k), "k=\($0.k)", "R@\($0.k)", $0.recall) })
        }
        return [("recall-vs-k", ReportFigures.lineChart(series, what: "recall against k", unit: "%"))]
    }

    public func write(to path: String) throws { try OutputFile(path).write(html()) }
}
