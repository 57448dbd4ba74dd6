import Foundation

/// `knn --html`: the page that explains a kNN run — its header and result table as in the terminal, the confusion
/// matrix of the first pooling at the first k (row-normalised, classes ordered by confusion), the most confused
/// pairs with example thumbnails, per-class recall with 95 % intervals, and top-1 accuracy against k for every
/// pooling. Self-contained (`ReportPage`).
public struct KNNPage: Sendable {
    public var report: KNNReport
    public var matrix: ConfusionMatrix?
    public var classNames: [String]
    /// Per confused pair listed (`mostConfused(pairCount)` order): thumbnails of a few of its samples.
    public var examples: [[[UInt8]]]
    /// Which pooling and k the matrix is of.
    public var matrixOf: (pooling: String, k: Int)?

    public init(outcome: KNNOutcome, limits: ImageLimits = ImageLimits()) throws {
        report = outcome.report
        let data = outcome.embedded
        classNames = data.sets.first?.query.classes ?? []
        examples = []
        guard let set = data.sets.first, let evaluation = outcome.evaluations.first, let result = evaluation.results.first else {
            matrix = nil
            matrixOf = nil
            return   // few-shot runs keep no single prediction per sample
        }
        let labels = set.query.labels
        let classCount = max(classNames.count, (labels.max() ?? 0) + 1, (result.predictions.max() ?? 0) + 1)
        while classNames.count < classCount { classNames.append("class \(classNames.count)") }
        let matrix = try ConfusionMatrix(labels: labels, predictions: result.predictions, classCount: classCount)
        self.matrix = matrix
        matrixOf = (set.pooling, result.k)
        examples = ReportPage.pairExamples(matrix, labels: labels, predictions: result.predictions, ids: set.query.ids,
                                           images: data.images, limits: limits)
    }

    public func html() -> String {
        var sections = [String]()
        var fields: [(String, String)] = [("Model", report.modelName), ("Dataset", report.dataset.name)]
        if let split = report.dataset.split { fields.append(("Split", split)) }
        fields.append(("Protocol", report.protocol == .leaveOneOut ? "leave-one-out" : "train-test"))
        if report.protocol == .trainTest, let train = report.dataset.trainSamples {
            fields.append(("Train", "\(report.dataset.trainSplit ?? "precomputed") (\(train) samples)"))
        }
        fields.append(("Samples", String(report.samples)))
        fields.append(("Classes", String(report.dataset.classes)))
        fields.append(("k", report.parameters.k.map(String.init).joined(separator: ", ")))
        fields.append(("Weighting", report.parameters.weighting.rawValue + (report.parameters.weighting == .exp ? String(format: " (T = %g)", report.parameters.temperature) : "")))
        fields.append(("Pooling", report.parameters.pooling))
        if case .string(let sha)? = report.model["sha256"] { fields.append(("Model sha256", sha)) }
        fields.append(("Embeval", report.versions.embeval))
        fields.append(("Time", report.timings.text))
        sections.append(ReportPage.fields(fields))

        let rows = report.results.map { r in
            [r.pooling, String(r.k), r.weighting.rawValue, String(format: "%.2f", r.top1Accuracy), String(format: "%.2f", r.top5Accuracy)]
        }
        sections.append(ReportPage.section("Results", ReportPage.table(header: ["Pooling", "k", "Weighting", "Top-1 (%)", "Top-5 (%)"],
                                                                       rows: rows, numeric: [1, 3, 4])))

        if let curve = figures().first(where: { $0.name == "accuracy-vs-k" }) {
            sections.append(ReportPage.section("Accuracy against k", curve.svg
                + ReportPage.note("Top-1 accuracy (%) for every k evaluated, one line per pooling: a plateau says k hardly matters; a peak at small k says the classes are tight but close.")))
        }

        guard let matrix, let matrixOf else {
            sections.append(ReportPage.note("No confusion matrix: a few-shot run votes with several draws of references, not one prediction per sample."))
            return ReportPage.document(title: "kNN: \(report.modelName)", sections: sections)
        }
        sections += ReportPage.classSections(matrix, names: classNames, pairExamples: examples,
                                             of: "\(matrixOf.pooling), k = \(matrixOf.k)")
        return ReportPage.document(title: "kNN: \(report.modelName)", sections: sections)
    }

    /// The page's figures as SVG (`--plots`): accuracy against k, the confusion matrix, per-class recall.
    public func figures() -> [(name: String, svg: String)] {
        var out = [(name: String, svg: String)]()
        let poolings = report.results.map(\.pooling).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let series = poolings.map { p in (p, report.results.filter { $0.pooling == p && $0.shots == nil }.map { ($0.k, $0.top1Accuracy) }) }
        if series.contains(where: { $0.1.count > 1 }) { out.append(("accuracy-vs-k", ReportFigures.accuracyAgainstK(series))) }
        if let matrix { out += ReportPage.classFigures(matrix, names: classNames) }
        return out
    }

    /// Writes the page whole.
    public func write(to path: String) throws { try OutputFile(path).write(html()) }
}
