import Foundation

/// The outcome of `embeval linear`: each pooling's probe — the C chosen and the test figures, or per shot count the
/// mean and spread over draws — with the validation curve behind the choice of C.
public struct LinearReport: Report {
    public struct Result: Codable, Sendable {
        public var pooling: String
        public var C: Double
        public var top1Accuracy: Double
        public var top5Accuracy: Double
        public var meanPerClassRecall: Double
        /// Few-shot only: samples per class, draws, and the standard deviation (ddof 0) of each figure over them.
        public var shots: Int?
        public var tries: Int?
        public var std: Spread?
        enum CodingKeys: String, CodingKey {
            case pooling, C, top1Accuracy = "top1_accuracy", top5Accuracy = "top5_accuracy"
            case meanPerClassRecall = "mean_per_class_recall", shots, tries, std
        }

        /// The few-shot keys only on few-shot results.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(pooling, forKey: .pooling)
            if let shots { try c.encode(shots, forKey: .shots) }
            if let tries { try c.encode(tries, forKey: .tries) }
            try c.encode(C, forKey: .C)
            try c.encode(top1Accuracy, forKey: .top1Accuracy)
            try c.encode(top5Accuracy, forKey: .top5Accuracy)
            try c.encode(meanPerClassRecall, forKey: .meanPerClassRecall)
            if let std { try c.encode(std, forKey: .std) }
        }
    }

    public struct Spread: Codable, Sendable {
        public var top1Accuracy: Double
        public var top5Accuracy: Double
        public var meanPerClassRecall: Double
        enum CodingKeys: String, CodingKey {
            case top1Accuracy = "top1_accuracy", top5Accuracy = "top5_accuracy", meanPerClassRecall = "mean_per_class_recall"
        }
    }

    /// A pooling's validation curve: top-1 on the validation slice for every C of the grid.
    public struct Curve: Codable, Sendable {
        public var pooling: String
        public var curve: [LinearProbe.ValidationPoint]
    }

    public struct Parameters: Codable, Sendable {
        /// The C given (nil: chosen on the grid).
        public var C: Double?
        public var grid: [Double]?
        public var validationFraction: Double?
        public var normalize: Bool
        public var maxIterations: Int
        public var tolerance: Double
        /// The objective's precision: "float64" or "float32" (scikit-learn's dtype for the rows); absent in reports
        /// written before it could be chosen, which were float64.
        public var precision: String?
        public var shots: [Int]?
        public var tries: Int?
        public var pooling: String
        public var batchSize: Int
        public var seed: UInt64
        public var samplesRequested: Int?
        public var trainSamplesRequested: Int?
        enum CodingKeys: String, CodingKey {
            case C, grid = "C_grid", validationFraction = "validation_fraction", normalize, maxIterations = "max_iter"
            case tolerance = "tol", precision, shots, tries, pooling, batchSize = "batch_size", seed
            case samplesRequested = "samples_requested", trainSamplesRequested = "train_samples_requested"
        }
    }

    public var task = "linear"
    public var samples: Int
    public var results: [Result]
    public var validation: [Curve]
    public var modelName: String
    public var model: JSONValue
    public var dataset: EvaluatedDataset
    public var parameters: Parameters
    public var health: [HealthSummary]
    public var timings: Timings
    public var versions = Versions()

    enum CodingKeys: String, CodingKey {
        case task, samples, results, validation, modelName = "model_name", model, dataset, parameters, health, timings, versions
    }

    /// The table a person reads.
    public func text() -> String {
        var fields: [(String, String)] = [("Task", parameters.shots == nil ? "linear probe" : "linear probe, few-shot"),
                                          ("Model", modelName), ("Dataset", dataset.name)]
        if let split = dataset.split { fields.append(("Split", split)) }
        fields.append(("Train", "\(dataset.trainSplit ?? "precomputed") (\(dataset.trainSamples ?? 0) samples)"))
        fields.append(("Samples", String(samples)))
        fields.append(("Classes", String(dataset.classes)))
        if parameters.C == nil, let grid = parameters.grid, let first = grid.first, let last = grid.last {
            fields.append(("C", String(format: "chosen on a %.0f%% validation slice of train from %d values, %g … %g",
                                       100 * (parameters.validationFraction ?? 0), grid.count, first, last)))
        }
        if let tries = parameters.tries { fields.append(("Tries", "\(tries) seeded draws per shot count (mean ± std)")) }
        if let precision = parameters.precision, precision != LogisticRegression.Precision.float64.rawValue {
            fields.append(("Precision", "\(precision) (scikit-learn's fit on \(precision) rows)"))
        }
        if !dataset.skipped.isEmpty { fields.append(("Skipped", "\(dataset.skipped.count) unreadable image(s)")) }
        let fewShot = parameters.shots != nil
        let rows = results.map { r -> [String] in
            let figure = { (value: Double, spread: Double?) in
                spread.map { String(format: "%.2f ± %.2f", value, $0) } ?? String(format: "%.2f", value)
            }
            return [r.pooling] + (fewShot ? [r.shots.map(String.init) ?? ""] : []) + [String(format: "%g", r.C),
                    figure(r.top1Accuracy, r.std?.top1Accuracy), figure(r.top5Accuracy, r.std?.top5Accuracy),
                    figure(r.meanPerClassRecall, r.std?.meanPerClassRecall)]
        }
        let header = ["Pooling"] + (fewShot ? ["Shots"] : []) + ["C", "Top-1 (%)", "Top-5 (%)", "Mean class recall (%)"]
        let table = TerminalTable.table(header: header, rows: rows,
                                        alignments: [.left] + (fewShot ? [.right] : []) + [.right, .right, .right, .right])
        return [TerminalTable.title("Evaluation: \(modelName)"), "", TerminalTable.fields(fields), "", table, "",
                "Embedding health: " + health.map(\.line).joined(separator: "\n                  "),
                "Time: " + timings.text]
            .joined(separator: "\n")
    }
}
