import Foundation

/// `embeval audit --lists DIR`: one CSV per list and one row per sample, written whole (a staging folder swapped
/// into place with its manifest) so a reader never sees half a set.
extension AuditReport {
    public static let listFiles = ["samples.csv", "label_issues.csv", "near_duplicates.csv", "near_duplicate_pairs.csv",
                                   "exact_duplicates.csv", "outliers.csv", "train_leaks.csv"]

    /// Refuses a `--lists` target that holds anything but an earlier audit's lists, before any work is done.
    public static func checkListsTarget(_ target: URL) throws {
        try OutputFolder.checkReplaceable(OutputFile.resolved(target), kind: "audit-lists", ownedNames: { listFiles.contains($0) })
    }

    public func writeLists(to target: URL) throws {
        guard let audit = detail.audit else { throw OutputError.cannotWrite(path: target.path, reason: "the report holds no per-sample figures") }
        let folder = try OutputFolder(target, kind: "audit-lists", ownedNames: { Self.listFiles.contains($0) })
        let ids = detail.ids, names = detail.classNames, labels = detail.labels
        let labelled = labelIssues != nil
        try folder.fill { dir in
            func write(_ name: String, _ header: [String], _ rows: [[String]]) throws {
                let text = ([header] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
                let url = dir.appendingPathComponent(name)
                do { try Data(text.utf8).write(to: url) } catch { throw OutputError.cannotWrite(path: url.path, reason: OutputFile.reason(error)) }
            }
            let n = audit.neighbours, k = n.k
            let issue = Set(audit.labelIssues?.flagged ?? []), outlier = Set(audit.outliers.flagged)
            let relative = Set(audit.nearDuplicates.relativeFlagged)
            var header = ["id"]
            if labelled { header += ["label", "suggested", "self_confidence", "label_issue"] }
            header += ["nearest_id", "nearest_cosine", "near_duplicate_score", "near_duplicate_relative", "outlier_mean_distance",
                       "outlier_score", "outlier", "uniqueness"]
            let rows = ids.indices.map { i -> [String] in
                var row = [ids[i]]
                if labelled, let li = audit.labelIssues {
                    row += [names[labels[i]], names[li.suggested[i]], Self.number(li.selfConfidence[i]), issue.contains(i) ? "1" : "0"]
                }
                row += [ids[Int(n.indices[i * k])], Self.number(Double(n.similarities[i * k])), Self.number(audit.nearDuplicates.score[i]),
                        relative.contains(i) ? "1" : "0", Self.number(audit.outliers.meanDistance[i]), Self.number(audit.outliers.score[i]),
                        outlier.contains(i) ? "1" : "0", Self.number(audit.uniqueness[i])]
                return row
            }
            try write("samples.csv", header, rows)
            try write("label_issues.csv", ["id", "given", "suggested", "score"],
                      (labelIssues ?? []).map { [$0.id, $0.given, $0.suggested, Self.number($0.score)] })
            try write("near_duplicates.csv", ["group", "id", "lowest_cosine"],
                      nearDuplicates.enumerated().flatMap { g, group in group.ids.map { [String(g), $0, Self.number(group.cosine)] } })
            try write("near_duplicate_pairs.csv", ["first", "second", "cosine"],
                      audit.nearDuplicates.pairs.pairs.map { [ids[$0.first], $0.second < ids.count ? ids[$0.second] : "#\($0.second)", Self.number(Double($0.similarity))] })
            try write("exact_duplicates.csv", ["kind", "group", "id"],
                      exactDuplicates.enumerated().flatMap { g, group in group.ids.map { [group.kind, String(g), $0] } })
            try write("train_leaks.csv", ["id", "train_id", "cosine"], (trainLeaks ?? []).map { [$0.id, $0.trainID, Self.number($0.cosine)] })
            try write("outliers.csv", ["id", "mean_distance", "score"],
                      outliers.map { [$0.id, Self.number($0.meanDistance), Self.number($0.score)] })
        }
        try folder.commit(rows: ids.count)
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. Tested by scalar: "\r\n" is
    /// one Character, equal to neither "\r" nor "\n".
    static func csvField(_ s: String) -> String {
        let special: Set<Unicode.Scalar> = [",", "\"", "\n", "\r"]
        guard s.unicodeScalars.contains(where: special.contains) else { return s }
        var quoted = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            if scalar == "\"" { quoted.append(scalar) }
            quoted.append(scalar)
        }
        return "\"" + String(quoted) + "\""
    }

    static func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "" }
}
