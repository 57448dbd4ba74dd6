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
        /// With `--parametric`: the network that reproduces this map, and how faithful it is.
        public var parametric: Parametric? = nil
        enum CodingKeys: String, CodingKey {
            case method, dimensions, seconds, parameters, trustworthiness, knnAccuracyMap = "knn_accuracy_map"
            case knnAccuracyInput = "knn_accuracy_input", qualityPoints = "quality_points", files, parametric
        }
    }

    /// A parametric map (`<method>-parametric.onnx`) measured on the points held out of its training.
    public struct Parametric: Codable, Sendable {
        public var file: String
        public var hidden: Int
        public var epochs: Int
        public var trainPoints: Int
        public var heldOut: Int
        public var trainSeconds: Double
        /// Mean squared error on the standardised coordinates after the last epoch.
        public var finalLoss: Double
        /// Trustworthiness (k = 10) of the held-out points as the network places them, and as the fitted map did.
        public var trustworthinessParametric: Double
        public var trustworthinessMap: Double
        /// Mean distance between the two placements of a held-out point, over the map's RMS radius.
        public var relativeDistance: Double
        /// The same to the map's non-parametric transform of the held-out points (`--map X.map --add`).
        public var relativeDistanceTransform: Double
        /// ONNX Runtime's coordinates against Embeval's own forward pass, max |diff|.
        public var onnxMaxDifference: Double
        public var millisecondsPer10kSwift: Double
        public var millisecondsPer10kOnnx: Double
        /// The map's non-parametric transform (`--map X.map --add`) on the same points.
        public var millisecondsPer10kTransform: Double
        enum CodingKeys: String, CodingKey {
            case file, hidden, epochs, trainPoints = "train_points", heldOut = "held_out", trainSeconds = "train_seconds"
            case finalLoss = "final_loss", trustworthinessParametric = "trustworthiness_parametric"
            case trustworthinessMap = "trustworthiness_map", relativeDistance = "relative_distance"
            case relativeDistanceTransform = "relative_distance_transform"
            case onnxMaxDifference = "onnx_max_difference", millisecondsPer10kSwift = "ms_per_10k_swift"
            case millisecondsPer10kOnnx = "ms_per_10k_onnx", millisecondsPer10kTransform = "ms_per_10k_transform"
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
        let parametric = maps.compactMap { m in m.parametric.map { (m.method.rawValue, $0) } }
        if !parametric.isEmpty {
            lines += ["", "Parametric maps (a network placing new points; measured on points held out of its training):",
                      TerminalTable.table(header: ["Map", "File", "Held out", "Trustworthiness (network / map)", "Distance / spread (map, transform)", "ms per 10k (ONNX / transform)"],
                                          rows: parametric.map { name, p in
                                              [name, p.file, String(p.heldOut), String(format: "%.4f / %.4f", p.trustworthinessParametric, p.trustworthinessMap),
                                               String(format: "%.3f, %.3f", p.relativeDistance, p.relativeDistanceTransform),
                                               String(format: "%.1f / %.1f", p.millisecondsPer10kOnnx, p.millisecondsPer10kTransform)]
                                          })]
        }
        if let issues {
            let label = issues.labelIssues.map { "\($0) label-error candidates, " } ?? ""
            lines += ["", "Issues (in the page): " + label + "\(issues.nearDuplicatePairs) near-duplicate pairs (cosine ≥ "
                      + String(format: "%.4f", issues.duplicateThreshold) + "), \(issues.outliers) outliers"]
        }
        return lines.joined(separator: "\n")
    }
}
