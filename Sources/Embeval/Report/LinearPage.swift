import Foundation

/// `linear --html`: the page that explains a linear probe — header and results, the validation curve of the C
/// sweep (one line per pooling), and for the first pooling the confusion matrix, the most confused pairs and
/// per-class recall (`ReportPage.classSections`). Self-contained (`ReportPage`).
public struct LinearPage: Sendable {
    public var report: LinearReport
    public var matrix: ConfusionMatrix?
    public var classNames: [String]
    public var pairExamples: [[[UInt8]]]

    public init(outcome: LinearOutcome, limits: ImageLimits = ImageLimits()) throws {
        report = outcome.report
        classNames = outcome.embedded?.primary.classes ?? []
        pairExamples = []
        guard let predictions = outcome.predictions, let data = outcome.embedded else {
            matrix = nil
            return   // few-shot runs have no single prediction per sample
        }
        let labels = data.primary.labels
        let classCount = max(classNames.count, (labels.max() ?? 0) + 1, (predictions.max() ?? 0) + 1)
        while classNames.count < classCount { classNames.append("class \(classNames.count)") }
        let matrix = try ConfusionMatrix(labels: labels, predictions: predictions, classCount: classCount)
        self.matrix = matrix
        pairExamples = ReportPage.pairExamples(matrix, labels: labels, predictions: predictions, ids: data.primary.ids,
                                               images: data.images, limits: limits)
    }

    public func html() -> String {
        var fields: [(String, String)] = [("Model", report.modelName), ("Dataset", report.dataset.name)]
        if let split = report.dataset.split { fields.append(("Split", split)) }
        if let train = report.dataset.trainSamples { fields.append(("Train", "\(report.dataset.trainSplit ?? "precomputed") (\(train) samples)")) }
        fields.append(("Samples", String(report.samples)))
        fields.append(("C", report.parameters.C.map { String(format: "%g", $0) }
                        ?? "chosen on a 10 % validation slice of train from \(report.parameters.grid?.count ?? 0) values"))
        fields.append(("Precision", report.parameters.precision ?? LogisticRegression.Precision.float64.rawValue))
        fields.append(("Pooling", report.parameters.pooling))
        if case .string(let sha)? = report.model["sha256"] { fields.append(("Model sha256", sha)) }
        fields.append(("Embeval", report.versions.embeval))
        fields.append(("Time", report.timings.text))
        var sections = [ReportPage.fields(fields)]
        let rows = report.results.map { r in
            [r.pooling] + (r.shots.map { [String($0)] } ?? []) + [String(format: "%g", r.C), String(format: "%.2f", r.top1Accuracy),
                                                                  String(format: "%.2f", r.top5Accuracy), String(format: "%.2f", r.meanPerClassRecall)]
        }
        let fewShot = report.results.contains { $0.shots != nil }
        sections.append(ReportPage.section("Results", ReportPage.table(
            header: ["Pooling"] + (fewShot ? ["Shots"] : []) + ["C", "Top-1 (%)", "Top-5 (%)", "Mean per-class recall (%)"], rows: rows)))
        if let curve = figures().first(where: { $0.name == "validation-curve" }) {
            sections.append(ReportPage.section("Validation accuracy against C", curve.svg
                + ReportPage.note("Top-1 accuracy on the validation slice for every C of the sweep, one line per pooling; the best C is refitted on all of train.")))
        }
        if let matrix {
            sections += ReportPage.classSections(matrix, names: classNames, pairExamples: pairExamples, of: "\(report.results.first?.pooling ?? "")")
        }
        return ReportPage.document(title: "Linear probe: \(report.modelName)", sections: sections)
    }

    /// The page's figures as SVG (`--plots`): the validation curve, the confusion matrix, per-class recall.
    public func figures() -> [(name: String, svg: String)] {
        var out = [(name: String, svg: String)]()
        let curves = report.validation.filter { $0.curve.count > 1 }
        if !curves.isEmpty {
            out.append(("validation-curve", ReportFigures.lineChart(curves.map { c in
                (c.pooling, c.curve.map { point in
                    // Ticks at every other decade (1e-6, 1e-4, …): the quarter-decade grid between them unlabelled.
                    let decade = log10(point.C), whole = decade.rounded()
                    let tick = abs(decade - whole) < 1e-9 && Int(whole) % 2 == 0 ? String(format: "1e%d", Int(whole)) : ""
                    return (decade, tick, String(format: "C=%g", point.C), point.top1Accuracy)
                })
            }, what: "validation accuracy against C", unit: "%")))
        }
        if let matrix { out += ReportPage.classFigures(matrix, names: classNames) }
        return out
    }

    public func write(to path: String) throws { try OutputFile(path).write(html()) }
}
