import Foundation

/// `zeroshot --html`: the page that explains a zero-shot run — its header and results, the prompt templates, the
/// confusion matrix, the most confused pairs and per-class recall (`ReportPage.classSections`), and for each class
/// the images most confidently assigned to it wrongly. Self-contained (`ReportPage`).
public struct ZeroShotPage: Sendable {
    public var report: ZeroShotReport
    public var matrix: ConfusionMatrix
    public var pairExamples: [[[UInt8]]]
    /// Per class (worst precision first, at most `classLimit`): its wrong assignments, most confident first, with
    /// the image's true class, cosine and thumbnail.
    public var wrongAssignments: [(predicted: Int, wrong: Int, examples: [(truth: Int, score: Float, thumbnail: [UInt8]?)])]

    /// Wrongly assigned images shown per class.
    public static let wrongPerClass = 4

    public init(outcome: ZeroShotOutcome, limits: ImageLimits = ImageLimits()) throws {
        report = outcome.report
        let labels = outcome.embedded.primary.labels, ids = outcome.embedded.primary.ids, result = outcome.result
        let classCount = max(report.classnames.count, 1)
        matrix = try ConfusionMatrix(labels: labels, predictions: result.predictions, classCount: classCount)
        pairExamples = ReportPage.pairExamples(matrix, labels: labels, predictions: result.predictions, ids: ids,
                                               images: outcome.embedded.images, limits: limits)
        let byID = outcome.embedded.images?.samplesByID
        var wrongByClass = [[Int]](repeating: [], count: classCount)
        for i in labels.indices where result.predictions[i] != labels[i] { wrongByClass[result.predictions[i]].append(i) }
        let matrix = self.matrix
        let ranked = (0..<classCount).filter { !wrongByClass[$0].isEmpty }.sorted { a, b in
            let pa = Double(matrix[a, a]) / Double(max(1, matrix[a, a] + wrongByClass[a].count))
            let pb = Double(matrix[b, b]) / Double(max(1, matrix[b, b] + wrongByClass[b].count))
            return (pa, a) < (pb, b)
        }.prefix(ReportFigures.classLimit)
        wrongAssignments = ranked.map { c in
            let top = wrongByClass[c].sorted { (result.predictedScores[$0], -$0) > (result.predictedScores[$1], -$1) }.prefix(Self.wrongPerClass)
            return (c, wrongByClass[c].count, top.map { i in
                (labels[i], result.predictedScores[i], byID.flatMap { ReportPage.thumbnail(ids[i], in: $0, limits: limits) })
            })
        }
    }

    public func html() -> String {
        let names = report.classnames
        var fields: [(String, String)] = [("Model", report.modelName), ("Dataset", report.dataset.name)]
        if let split = report.dataset.split { fields.append(("Split", split)) }
        fields.append(("Samples", String(report.samples)))
        fields.append(("Classes", String(names.count)))
        fields.append(("Prompts", "\(report.parameters.prompts) (\(report.templates.count) template\(report.templates.count == 1 ? "" : "s") per class, ensembled)"))
        fields.append(("Text output", report.parameters.textOutput))
        if case .string(let sha)? = report.model["sha256"] { fields.append(("Model sha256", sha)) }
        fields.append(("Embeval", report.versions.embeval))
        fields.append(("Time", report.timings.text))
        var sections = [ReportPage.fields(fields)]
        let result = report.results[0]
        sections.append(ReportPage.section("Results", ReportPage.table(header: ["Metric", "Value (%)"], rows: [
            ["top-1 accuracy", String(format: "%.2f", result.top1Accuracy)],
            ["top-5 accuracy", String(format: "%.2f", result.top5Accuracy)],
            ["mean per-class recall", String(format: "%.2f", result.meanPerClassRecall)],
        ], numeric: [1])))
        sections.append(ReportPage.section("Prompt templates", "<ol>" + report.templates.map { "<li><code>\(htmlEscaped($0))</code></li>" }.joined() + "</ol>"))
        sections += ReportPage.classSections(matrix, names: names, pairExamples: pairExamples, of: "argmax cosine")
        if !wrongAssignments.isEmpty {
            var table = "<table><tr><th>Assigned class</th><th>Wrongly assigned</th><th>Most confident (true class, cosine)</th></tr>"
            for entry in wrongAssignments {
                let cells = entry.examples.map { e -> String in
                    let caption = "\(names[e.truth]) \(String(format: "%.3f", e.score))"
                    return "<figure style=\"margin:0;font-size:11px;width:70px\">" + (e.thumbnail.map { ReportPage.image($0, alt: caption) } ?? "")
                        + "<figcaption>\(htmlEscaped(caption))</figcaption></figure>"
                }.joined()
                table += "<tr><td>\(htmlEscaped(names[entry.predicted]))</td><td class=\"num\">\(entry.wrong)</td><td><div class=\"examples\">\(cells)</div></td></tr>"
            }
            sections.append(ReportPage.section("Images most confidently assigned to the wrong class", table + "</table>"
                + ReportPage.note("Classes by precision, worst first; for each, the wrongly assigned images of largest cosine to its text embedding.")))
        }
        return ReportPage.document(title: "Zero-shot: \(report.modelName)", sections: sections)
    }

    /// The page's figures as SVG (`--plots`): the confusion matrix and per-class recall.
    public func figures() -> [(name: String, svg: String)] { ReportPage.classFigures(matrix, names: report.classnames) }

    public func write(to path: String) throws { try OutputFile(path).write(html()) }
}
