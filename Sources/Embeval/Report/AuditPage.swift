import Foundation

/// `audit --html`: the audit's lists as a person checks them — label-error candidates beside their nearest
/// neighbours, near-duplicate groups side by side, outliers, train leaks, each with thumbnails when the images are at
/// hand, and the classes by neighbour purity. The first `shown` entries of each list (the CSVs of `--lists` hold
/// all). Self-contained (`ReportPage`).
public struct AuditPage: Sendable {
    public var report: AuditReport
    /// Thumbnails by id (the listed samples and the candidates' neighbours).
    public var thumbnails: [String: [UInt8]]
    /// Why the samples have no thumbnails although images were given: they are not the audited samples' images.
    public var imagesMismatch: String?
    /// Per listed label-error candidate, its nearest neighbours' ids.
    public var neighbourIDs: [String: [String]]

    /// Entries listed per list, neighbours shown per candidate, members per group.
    public static let shown = 30
    public static let neighboursShown = 5
    public static let membersShown = 8

    public init(report: AuditReport, images: Dataset? = nil, limits: ImageLimits = ImageLimits()) {
        self.report = report
        let detail = report.detail, ids = detail.ids
        let row = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var neighbourIDs = [String: [String]]()
        if let audit = detail.audit, let issues = report.labelIssues {
            let k = audit.neighbours.k
            for issue in issues.prefix(Self.shown) {
                guard let i = row[issue.id], k > 0 else { continue }
                neighbourIDs[issue.id] = audit.neighbours.indices[(i * k)..<(i * k + min(k, Self.neighboursShown))].map { ids[Int($0)] }
            }
        }
        self.neighbourIDs = neighbourIDs
        var wanted = Set<String>()
        for issue in (report.labelIssues ?? []).prefix(Self.shown) { wanted.insert(issue.id); wanted.formUnion(neighbourIDs[issue.id] ?? []) }
        for group in report.nearDuplicates.prefix(Self.shown) { wanted.formUnion(group.ids.prefix(Self.membersShown)) }
        for group in report.exactDuplicates.prefix(Self.shown) { wanted.formUnion(group.ids.prefix(Self.membersShown)) }
        for outlier in report.outliers.prefix(Self.shown) { wanted.insert(outlier.id) }
        for leak in (report.trainLeaks ?? []).prefix(Self.shown) { wanted.insert(leak.id) }
        var thumbnails = [String: [UInt8]]()
        let list = wanted.sorted()
        // The images must be the audited samples' (another split's ids may be the same): their classes say.
        let className = { (i: Int) in detail.classNames.indices.contains(detail.labels[i]) ? detail.classNames[detail.labels[i]] : nil }
        imagesMismatch = report.classes.isEmpty ? nil : images?.classDisagreement(list.compactMap { id in
            row[id].flatMap { i in detail.labels.indices.contains(i) ? className(i).map { (id, $0) } : nil }
        })
        if let images, imagesMismatch == nil {
            let byID = images.samplesByID
            let made = Parallel.map(list.count) { ReportPage.thumbnail(list[$0], in: byID, limits: limits) }
            for (id, png) in zip(list, made) { if let png { thumbnails[id] = png } }
        }
        self.thumbnails = thumbnails
    }

    public func html() -> String {
        let r = report
        var fields: [(String, String)] = [("Model", r.modelName), ("Dataset", r.dataset.name)]
        if let split = r.dataset.split { fields.append(("Split", split)) }
        fields.append(("Samples", String(r.samples)))
        fields.append(("k", String(r.parameters.k)))
        fields.append(("Near-duplicate cosine", String(format: "≥ %.4f (%@)", r.parameters.duplicateThreshold,
                                                        r.parameters.duplicateThresholdRule == "auto" ? "auto: 1 − 0.13 × median NN distance" : "given")))
        fields.append(("Embeval", r.versions.embeval))
        fields.append(("Time", r.timings.text))
        var sections = [ReportPage.fields(fields)]
        if let imagesMismatch {
            sections.append("<p>No pictures: the images given are not the audited samples' (\(htmlEscaped(imagesMismatch))).</p>")
        }
        var counts: [[String]] = []
        for kind in ["identical_files", "identical_inputs", "identical_embeddings"] {
            let groups = r.exactDuplicates.filter { $0.kind == kind }
            if !groups.isEmpty { counts.append(["exact duplicates (\(kind.replacingOccurrences(of: "_", with: " ")))", String(groups.reduce(0) { $0 + $1.ids.count }), "\(groups.count) groups"]) }
        }
        counts.append(["near duplicates", String(r.nearDuplicates.reduce(0) { $0 + $1.ids.count }), "\(r.nearDuplicates.count) groups, \(r.nearDuplicatePairs) pairs"])
        if let leaks = r.trainLeaks { counts.append(["near duplicates of train samples (leaks)", String(Set(leaks.map(\.id)).count), "\(r.trainLeakPairs ?? leaks.count) pairs"]) }
        if let issues = r.labelIssues { counts.append(["label-error candidates", String(issues.count), "confident learning"]) }
        counts.append(["outliers", String(r.outliers.count), String(format: "mean distance > %.4f", r.outlierThreshold)])
        sections.append(ReportPage.section("Findings", ReportPage.table(header: ["Finding", "Samples", "Rule"], rows: counts, numeric: [1])))

        if let issues = r.labelIssues, !issues.isEmpty {
            var table = "<table><tr><th>Sample</th><th>Given</th><th>Suggested</th><th>Self-confidence</th><th>Nearest neighbours</th></tr>"
            for issue in issues.prefix(Self.shown) {
                let neighbours = (neighbourIDs[issue.id] ?? []).map { picture($0) }.joined()
                table += "<tr><td><div class=\"examples\">\(picture(issue.id))</div>\(htmlEscaped(issue.id))</td><td>\(htmlEscaped(issue.given))</td>"
                table += "<td>\(htmlEscaped(issue.suggested))</td><td class=\"num\">\(String(format: "%.2f", issue.score))</td><td><div class=\"examples\">\(neighbours)</div></td></tr>"
            }
            sections.append(ReportPage.section("Label-error candidates", table + "</table>" + note(issues.count)))
        }
        let groups: [(title: String, cosine: Double?, ids: [String])] = r.exactDuplicates.map { ("exact (\($0.kind.replacingOccurrences(of: "_", with: " ")))", nil, $0.ids) }
            + r.nearDuplicates.sorted { ($0.cosine, $1.ids.count) > ($1.cosine, $0.ids.count) }.map { ("near", $0.cosine, $0.ids) }
        if !groups.isEmpty {
            var table = "<table><tr><th>Kind</th><th>Cosine</th><th>Samples</th></tr>"
            for group in groups.prefix(Self.shown) {
                let members = group.ids.prefix(Self.membersShown).map { "<figure style=\"margin:0;width:72px;font-size:10px;overflow-wrap:anywhere\">\(picture($0))<figcaption>\(htmlEscaped($0))</figcaption></figure>" }.joined()
                table += "<tr><td>\(htmlEscaped(group.title))</td><td class=\"num\">\(group.cosine.map { String(format: "%.4f", $0) } ?? "1")</td><td><div class=\"examples\">\(members)</div>"
                    + (group.ids.count > Self.membersShown ? "<span class=\"note\">and \(group.ids.count - Self.membersShown) more</span>" : "") + "</td></tr>"
            }
            sections.append(ReportPage.section("Duplicate groups", table + "</table>" + note(groups.count)))
        }
        if let leaks = r.trainLeaks, !leaks.isEmpty {
            sections.append(ReportPage.section("Near duplicates of train samples (leaks)", ReportPage.table(
                header: ["Sample", "Train sample", "Cosine"], rows: leaks.prefix(Self.shown).map { [$0.id, $0.trainID, String(format: "%.4f", $0.cosine)] },
                numeric: [2]) + note(leaks.count)))
        }
        if !r.outliers.isEmpty {
            var table = "<table><tr><th>Sample</th><th>Mean distance</th><th>Score</th></tr>"
            for outlier in r.outliers.prefix(Self.shown) {
                table += "<tr><td><div class=\"examples\">\(picture(outlier.id))\(htmlEscaped(outlier.id))</div></td><td class=\"num\">\(String(format: "%.4f", outlier.meanDistance))</td><td class=\"num\">\(String(format: "%.3g", outlier.score))</td></tr>"
            }
            sections.append(ReportPage.section("Outliers", table + "</table>" + note(r.outliers.count)))
        }
        if !r.classes.isEmpty {
            sections.append(ReportPage.section("Classes", ReportPage.table(
                header: ["Class", "Samples", "Neighbour purity"],
                rows: r.classes.sorted { ($0.neighbourPurity, $0.name) < ($1.neighbourPurity, $1.name) }
                    .map { [$0.name, String($0.samples), String(format: "%.3f", $0.neighbourPurity)] }, numeric: [1, 2])
                + ReportPage.note("Least pure first: the share of a sample's k nearest neighbours in its own class, averaged.")))
        }
        return ReportPage.document(title: "Audit: \(r.modelName)", sections: sections)
    }

    private func picture(_ id: String) -> String { thumbnails[id].map { ReportPage.image($0, alt: id) } ?? "" }

    private func note(_ total: Int) -> String {
        total > Self.shown ? ReportPage.note("The first \(Self.shown) of \(total); --lists DIR writes them all as CSV.") : ""
    }

    public func write(to path: String) throws { try OutputFile(path).write(html()) }
}
