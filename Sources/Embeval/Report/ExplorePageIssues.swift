import Foundation

/// What an audit flagged, for the explore page's Issues panel (`explore --audit`): label-error candidates with their
/// suggested class, near-duplicate pairs, outliers — as point indices, each list in the audit's order and cut at
/// `listLimit` entries (the totals are kept, and the page says how many it lists).
public struct ExplorePageIssues: Sendable, Equatable {
    public struct LabelIssue: Sendable, Equatable {
        public var point: Int
        public var suggested: Int
        public var selfConfidence: Double
    }

    public struct Pair: Sendable, Equatable {
        public var first: Int
        public var second: Int
        public var cosine: Double
    }

    public struct Outlier: Sendable, Equatable {
        public var point: Int
        public var meanDistance: Double
    }

    /// Entries per list carried by the page (each costs a few bytes of JSON; the panel draws them lazily).
    public static let listLimit = 5_000

    /// Lowest self-confidence first; nil when the points have no labels.
    public var labelIssues: [LabelIssue]?
    public var labelIssueCount: Int
    /// Most similar first.
    public var duplicates: [Pair]
    public var duplicateCount: Int
    public var duplicateThreshold: Double
    /// Farthest first.
    public var outliers: [Outlier]
    public var outlierCount: Int

    public init(labelIssues: [LabelIssue]?, labelIssueCount: Int, duplicates: [Pair], duplicateCount: Int,
                duplicateThreshold: Double, outliers: [Outlier], outlierCount: Int) {
        self.labelIssues = labelIssues
        self.labelIssueCount = labelIssueCount
        self.duplicates = duplicates
        self.duplicateCount = duplicateCount
        self.duplicateThreshold = duplicateThreshold
        self.outliers = outliers
        self.outlierCount = outlierCount
    }

    /// The lists of `audit`, cut at `listLimit`.
    public init(_ audit: DataAudit) {
        let limit = Self.listLimit
        labelIssues = audit.labelIssues.map { issues in
            issues.flagged.prefix(limit).map { LabelIssue(point: $0, suggested: issues.suggested[$0], selfConfidence: issues.selfConfidence[$0]) }
        }
        labelIssueCount = audit.labelIssues?.flagged.count ?? 0
        duplicates = audit.nearDuplicates.pairs.pairs.prefix(limit).map { Pair(first: $0.first, second: $0.second, cosine: Double($0.similarity)) }
        duplicateCount = audit.nearDuplicates.pairs.total
        duplicateThreshold = audit.duplicateSimilarity
        outliers = audit.outliers.flagged.prefix(limit).map { Outlier(point: $0, meanDistance: audit.outliers.meanDistance[$0]) }
        outlierCount = audit.outliers.flagged.count
    }

    /// Throws when an entry names a point outside `0..<count` or a class outside `0..<classCount`.
    func validate(count: Int, classCount: Int) throws {
        let points = (labelIssues ?? []).map(\.point) + duplicates.flatMap { [$0.first, $0.second] } + outliers.map(\.point)
        if let bad = points.first(where: { $0 < 0 || $0 >= count }) {
            throw ReportError.inconsistentPage("issue point \(bad) is out of range 0..<\(count)")
        }
        if let bad = labelIssues?.first(where: { $0.suggested < 0 || $0.suggested >= max(classCount, 1) }) {
            throw ReportError.inconsistentPage("suggested class \(bad.suggested) of point \(bad.point) is out of range 0..<\(classCount)")
        }
    }

    /// The page's `issues` object: `{"label": [[point, suggested, score]…], "labelTotal", "duplicates": [[a, b,
    /// cosine]…], "duplicateTotal", "threshold", "outliers": [[point, distance]…], "outlierTotal"}`.
    var json: String {
        func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "null" }
        var out = "{\"label\":"
        out += labelIssues.map { "[" + $0.map { "[\($0.point),\($0.suggested),\(number($0.selfConfidence))]" }.joined(separator: ",") + "]" } ?? "null"
        out += ",\"labelTotal\":\(labelIssueCount)"
        out += ",\"duplicates\":[" + duplicates.map { "[\($0.first),\($0.second),\(number($0.cosine))]" }.joined(separator: ",") + "]"
        out += ",\"duplicateTotal\":\(duplicateCount),\"threshold\":\(number(duplicateThreshold))"
        out += ",\"outliers\":[" + outliers.map { "[\($0.point),\(number($0.meanDistance))]" }.joined(separator: ",") + "]"
        out += ",\"outlierTotal\":\(outlierCount)}"
        return out
    }
}
