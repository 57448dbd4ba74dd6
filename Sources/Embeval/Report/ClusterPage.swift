import Foundation

/// `cluster --html`: the page of a k-means run — header and scores, where each class's samples went (a class ×
/// cluster heat map, clusters ordered by their majority class, so that a clean clustering is a diagonal), and each
/// cluster's size, majority class and purity — for the first pooling. Self-contained (`ReportPage`).
public struct ClusterPage: Sendable {
    public var report: ClusterReport
    public var classNames: [String]
    /// `classes × clusters` counts of the first pooling's fit.
    public var counts: [[Int]]

    public init(outcome: ClusterOutcome) throws {
        report = outcome.report
        guard let score = outcome.scores.first, case .clustering(let classes, let clusters, _)? = score.perSample else {
            throw ReportError.inconsistentPage("the cluster run holds no assignments")
        }
        let classCount = max(outcome.classNames.count, (classes.max() ?? 0) + 1), clusterCount = (clusters.max() ?? 0) + 1
        guard classes.count == clusters.count, classes.allSatisfy({ $0 >= 0 }), clusters.allSatisfy({ $0 >= 0 }) else {
            throw ReportError.inconsistentPage("\(classes.count) labels for \(clusters.count) assignments")
        }
        var counts = [[Int]](repeating: [Int](repeating: 0, count: clusterCount), count: classCount)
        for (c, k) in zip(classes, clusters) { counts[c][k] += 1 }
        self.counts = counts
        classNames = (0..<classCount).map { $0 < outcome.classNames.count ? outcome.classNames[$0] : "class \($0)" }
    }

    /// Clusters by their majority class (ties: the smaller class), then by size, descending.
    var clusterOrder: [Int] {
        let k = counts.first?.count ?? 0
        return (0..<k).sorted { (majority($0), -size($0), $0) < (majority($1), -size($1), $1) }
    }

    func size(_ k: Int) -> Int { counts.reduce(0) { $0 + $1[k] } }

    func majority(_ k: Int) -> Int { counts.indices.max { (counts[$0][k], -$0) < (counts[$1][k], -$1) } ?? 0 }

    public func html() -> String {
        var fields: [(String, String)] = [("Model", report.modelName), ("Dataset", report.dataset.name)]
        if let split = report.dataset.split { fields.append(("Split", split)) }
        fields.append(("Samples", String(report.samples)))
        fields.append(("Algorithm", "\(report.parameters.algorithm), n_init \(report.parameters.nInit), seed \(report.parameters.seed)"))
        if case .string(let sha)? = report.model["sha256"] { fields.append(("Model sha256", sha)) }
        fields.append(("Embeval", report.versions.embeval))
        fields.append(("Time", report.timings.text))
        var sections = [ReportPage.fields(fields)]
        sections.append(ReportPage.section("Scores", ReportPage.table(
            header: ["Pooling", "Clusters", "NMI", "ARI", "V-measure", "Cluster accuracy (%)", "Inertia"],
            rows: report.results.map { r in
                [r.pooling, String(r.clusters), String(format: "%.4f", r.nmi), String(format: "%.4f", r.ari), String(format: "%.4f", r.vMeasure),
                 String(format: "%.2f", r.clusterAccuracy), String(format: "%.1f", r.inertia)]
            }, numeric: [1, 2, 3, 4, 5, 6])))
        sections.append(ReportPage.section("Where each class went", figures()[0].svg
            + ReportPage.note("Rows: classes; columns: clusters, ordered by their majority class; shade: the share of the class's samples in the cluster (blue where the cluster's majority is that class)." + (report.results.count > 1 ? " First pooling: \(report.results[0].pooling)." : ""))))
        var table = "<table><tr><th>Cluster</th><th>Samples</th><th>Majority class</th><th>Purity</th></tr>"
        for k in clusterOrder {
            let n = size(k), m = majority(k)
            table += "<tr><td>\(k)</td><td class=\"num\">\(n)</td><td>\(htmlEscaped(classNames[m]))</td><td class=\"num\">\(String(format: "%.1f %%", n > 0 ? 100 * Double(counts[m][k]) / Double(n) : 0))</td></tr>"
        }
        sections.append(ReportPage.section("Clusters", table + "</table>"))
        return ReportPage.document(title: "Clustering: \(report.modelName)", sections: sections)
    }

    /// The page's figure as SVG (`--plots`): the class × cluster heat map.
    public func figures() -> [(name: String, svg: String)] {
        let order = clusterOrder
        let rows = Array(counts.indices.prefix(ReportFigures.classLimit)), columns = Array(order.prefix(ReportFigures.classLimit))
        return [("class-by-cluster", ReportFigures.heatMap(
            rows: rows.map { classNames[$0] }, columns: columns.map { "cluster \($0)" }, label: "classes by cluster",
            count: { counts[rows[$0]][columns[$1]] }, rowTotal: { counts[rows[$0]].reduce(0, +) },
            highlighted: { majority(columns[$1]) == rows[$0] },
            tip: { r, c, count, total in "\(classNames[rows[r]]) in cluster \(columns[c]): \(count) of \(total)" }))]
    }

    public func write(to path: String) throws { try OutputFile(path).write(html()) }
}
