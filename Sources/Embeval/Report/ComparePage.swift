import Foundation

/// `compare --html`: the page behind a verdict — both models, the metric table, a forest plot of each delta's 95 %
/// interval against the ±tolerance band, the per-class deltas (which classes the candidate lost), and the samples
/// whose two embeddings agree least, with thumbnails when the images are at hand. Self-contained (`ReportPage`).
public struct ComparePage: Sendable {
    public var report: ComparisonReport
    /// Thumbnails of the least-agreeing samples, by id.
    public var thumbnails: [String: [UInt8]]

    /// Classes shown in the per-class deltas (the largest losses first), and least-agreeing samples shown.
    public static let classLimit = 30
    public static let sampleLimit = 12

    /// `images`: the compared dataset, for thumbnails (nil: none).
    public init(report: ComparisonReport, images: Dataset? = nil, limits: ImageLimits = ImageLimits()) {
        self.report = report
        var thumbnails = [String: [UInt8]]()
        if let images, let worst = report.agreement?.worstIds.prefix(Self.sampleLimit) {
            let byID = images.samplesByID
            let ids = Set(worst.flatMap { [$0.id] + ($0.baselineNeighbours ?? []) + ($0.candidateNeighbours ?? []) }).sorted()
            let made = Parallel.map(ids.count) { ReportPage.thumbnail(ids[$0], in: byID, limits: limits) }
            for (id, png) in zip(ids, made) { thumbnails[id] = png }
        }
        self.thumbnails = thumbnails
    }

    public func html() -> String {
        var fields: [(String, String)] = [("Task", report.task), ("Baseline", report.baselineName), ("Candidate", report.candidateName)]
        for (side, metadata) in [("Baseline", report.baseline), ("Candidate", report.candidate)] {
            if case .string(let sha)? = metadata["sha256"] { fields.append(("\(side) sha256", sha)) }
        }
        if let name = report.dataset.name { fields.append(("Dataset", name + (report.dataset.split.map { " (\($0))" } ?? ""))) }
        fields.append(("Samples", String(report.samples)))
        fields.append(("Tolerance", String(format: "±%.2f points (95 %% interval of the delta, paired bootstrap × %d)", report.tolerance, report.bootstrap)))
        fields.append(("Embeval", report.versions.embeval))
        fields.append(("Time", report.timings.text))
        var sections = [ReportPage.fields(fields)]
        if let verdict = report.verdict { sections.append(ReportPage.verdictLine(verdict)) }
        let rows = report.metrics.map { m -> [String] in
            let percent = (Metric(name: m.name)?.unit ?? .percent) == .percent
            let value = { (x: Double) in percent ? String(format: "%.2f", x) : String(format: "%.4f", x) }
            let signed = { (x: Double) in String(format: percent ? "%+.2f" : "%+.4f", x) }
            return [Self.label(m), m.k.map(String.init) ?? "", value(m.baseline), value(m.candidate), signed(m.bootstrap.delta),
                    "[\(signed(m.bootstrap.ci95.lower)), \(signed(m.bootstrap.ci95.upper))]", m.verdict.rawValue + (m.decisive ? "" : " (info)")]
        }
        sections.append(ReportPage.section("Metrics", ReportPage.table(header: ["Metric", "k", "Baseline", "Candidate", "Delta", "95 % CI", "Verdict"],
                                                                       rows: rows, numeric: [1, 2, 3, 4, 5])))
        if !report.metrics.isEmpty {
            sections.append(ReportPage.section("Deltas against the tolerance", ReportFigures.forestPlot(forestRows)
                + ReportPage.note("Candidate − baseline with its 95 % interval; the green band is ±tolerance. PASS: the whole interval inside the band; FAIL: the whole interval outside it; INCONCLUSIVE: neither — more samples would settle it.")))
        }
        if let perClass = report.perClass, !perClass.isEmpty {
            let worst = worstClasses
            sections.append(ReportPage.section("Per-class deltas", ReportFigures.deltaBars(worst.map { ($0.class, $0.delta, $0.samples) })
                + ReportPage.note("Top-1 recall of each class, candidate − baseline in points, largest losses first" + (worst.count < perClass.count ? " (\(worst.count) of \(perClass.count) classes)" : "") + ": whether a delta is spread over all classes or sits in a few.")))
        }
        if let agreement = report.agreement {
            var body = ReportPage.note(String(format: "Neighbour overlap@%d: %.4f", agreement.k, agreement.neighbourOverlapAtK)
                + (agreement.meanCosine.map { String(format: "; cosine of each sample's two embeddings: mean %.5f", $0) } ?? "")
                + (agreement.minCosine.map { String(format: ", min %.5f", $0) } ?? ""))
            if !agreement.worstIds.isEmpty {
                body += "<table><tr><th>Sample</th><th>Cosine</th><th>Nearest in the baseline</th><th>Nearest in the candidate</th></tr>"
                func pictures(_ ids: [String]?) -> String {
                    "<div class=\"examples\">" + (ids ?? []).map { id in thumbnails[id].map { ReportPage.image($0, alt: id) } ?? htmlEscaped(id) + " " }.joined() + "</div>"
                }
                for sample in agreement.worstIds.prefix(Self.sampleLimit) {
                    body += "<tr><td>" + pictures([sample.id]) + "\(htmlEscaped(sample.id))</td><td class=\"num\">\(String(format: "%.5f", sample.cosine))</td>"
                        + "<td>\(pictures(sample.baselineNeighbours))</td><td>\(pictures(sample.candidateNeighbours))</td></tr>"
                }
                body += "</table>" + ReportPage.note("Each sample's three nearest other samples in each model's space: where they differ, the candidate moved the sample.")
            }
            sections.append(ReportPage.section("Samples the two models embed least alike", body))
        }
        return ReportPage.document(title: "Comparison: \(report.candidateName) vs \(report.baselineName)", sections: sections)
    }

    /// Each metric's delta and interval against its tolerance (fractions' tolerance is the points' hundredth).
    var forestRows: [(label: String, delta: Double, low: Double, high: Double, verdict: Verdict, tolerance: Double)] {
        report.metrics.map { m in
            let fraction = Metric(name: m.name)?.unit == .fraction
            return (Self.label(m) + (m.k.map { " k=\($0)" } ?? ""), m.bootstrap.delta, m.bootstrap.ci95.lower,
                    m.bootstrap.ci95.upper, m.verdict, fraction ? report.tolerance / 100 : report.tolerance)
        }
    }

    /// The classes with the largest losses first, at most `classLimit`.
    var worstClasses: ArraySlice<ComparisonReport.ClassDelta> {
        (report.perClass ?? []).sorted { ($0.delta, $0.class) < ($1.delta, $1.class) }.prefix(Self.classLimit)
    }

    /// The page's figures as SVG (`--plots`): the forest plot and the per-class deltas.
    public func figures() -> [(name: String, svg: String)] {
        var out = [(name: String, svg: String)]()
        if !report.metrics.isEmpty { out.append(("deltas", ReportFigures.forestPlot(forestRows))) }
        if !worstClasses.isEmpty { out.append(("class-deltas", ReportFigures.deltaBars(worstClasses.map { ($0.class, $0.delta, $0.samples) }))) }
        return out
    }

    static func label(_ m: ComparedMetric) -> String {
        let qualifiers = [m.direction, m.pooling].compactMap { $0 }
        return qualifiers.isEmpty ? m.name : "\(m.name) (\(qualifiers.joined(separator: ", ")))"
    }

    public func write(to path: String) throws { try OutputFile(path).write(html()) }
}
