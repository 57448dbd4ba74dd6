import Foundation

/// The outcome of `embeval explore`: the maps made, their quality figures and where the files went.
public struct ExploreReport: Report {
    public struct MapEntry: Codable, Sendable {
        public var method: MapMethod
        public var dimensions: Int
        public var seconds: Double
        public var parameters: JSONValue
        /// Trustworthiness at k = 10 (nil for too few points).
        public var trustworthiness: Double?
        /// Leave-one-out 10-NN accuracy in the map and in its input, in percent (nil without labels).
        public var knnAccuracyMap: Double?
        public var knnAccuracyInput: Double?
        public var qualityPoints: Int
        public var files: [String]
        enum CodingKeys: String, CodingKey {
            case method, dimensions, seconds, parameters, trustworthiness, knnAccuracyMap = "knn_accuracy_map"
            case knnAccuracyInput = "knn_accuracy_input", qualityPoints = "quality_points", files
        }
    }

    /// What `--audit` flagged (the page's Issues panel lists them; `embeval audit` writes the full lists).
    public struct IssueCounts: Codable, Sendable {
        public var labelIssues: Int?
        public var nearDuplicatePairs: Int
        public var duplicateThreshold: Double
        public var outliers: Int
        enum CodingKeys: String, CodingKey {
            case labelIssues = "label_issues", nearDuplicatePairs = "near_duplicate_pairs", duplicateThreshold = "duplicate_threshold", outliers
        }
    }

    public var task = "explore"
    public var title: String
    public var points: Int
    public var inputDimension: Int
    public var pcaDimensions: Int
    public var dimensions: Int
    public var seed: UInt64
    /// Whether the maps are bit-reproducible from `seed` (an explicit `--seed`); without one, UMAP's SGD layout
    /// runs on every core and its map differs slightly from run to run.
    public var reproducible: Bool
    public var maps: [MapEntry]
    public var page: String
    public var health: HealthSummary?
    public var issues: IssueCounts?

    enum CodingKeys: String, CodingKey {
        case task, title, points, inputDimension = "input_dimension", pcaDimensions = "pca_dimensions", dimensions, seed, reproducible
        case maps, page, health, issues
    }

    public func text() -> String {
        let rows = maps.map { m in
            [m.method.rawValue, String(format: "%.2fs", m.seconds), m.trustworthiness.map { String(format: "%.4f", $0) } ?? "–",
             m.knnAccuracyMap.map { String(format: "%.2f", $0) } ?? "–", m.knnAccuracyInput.map { String(format: "%.2f", $0) } ?? "–"]
        }
        var lines = [TerminalTable.title("Explore: \(title)"), "",
                TerminalTable.fields([("Points", String(points)), ("Dimensions", "\(inputDimension) → PCA \(pcaDimensions) → \(dimensions)"),
                                      ("Seed", reproducible ? "\(seed) (maps reproducible)"
                                                                 : "none given (UMAP layout on all cores, not bit-reproducible)"),
                                      ("Output", URL(fileURLWithPath: page).deletingLastPathComponent().path)]), "",
                TerminalTable.table(header: ["Map", "Time", "Trustworthiness@10", "10-NN acc. map (%)", "10-NN acc. input (%)"], rows: rows)]
        if let issues {
            let label = issues.labelIssues.map { "\($0) label-error candidates, " } ?? ""
            lines += ["", "Issues (in the page): " + label + "\(issues.nearDuplicatePairs) near-duplicate pairs (cosine ≥ "
                      + String(format: "%.4f", issues.duplicateThreshold) + "), \(issues.outliers) outliers"]
        }
        return lines.joined(separator: "\n")
    }
}
