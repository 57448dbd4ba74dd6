import Foundation

/// The linear probe: logistic regression on frozen features, its regularisation chosen as DINOv2's
/// `log_regression` chooses it — every C of a log grid fitted on train less a held-out validation slice and scored on
/// that slice, then the best C refitted on all of train — and scored on the test set.
///
/// The validation slice is a seeded, stratified share of train (each class gives `validationFraction` of its samples,
/// rounded, keeping at least one for training): the test set never reaches fitting or the choice of C. Along the grid
/// each fit starts from the previous C's solution (warm start); at scikit-learn's `tol=1e-12` the optimum does not
/// depend on the start.
public struct LinearProbe: Sendable {
    /// The C values tried, in order. One value: no validation, that C is fitted on all of train.
    public var grid: [Double]
    public var validationFraction: Double
    public var seed: UInt64
    public var tolerance: Double
    public var maxIterations: Int
    public var precision: LogisticRegression.Precision
    /// The memory a fit may take (`checkMemory`).
    public var memoryBytes: Int = ProcessMemory.limit

    /// DINOv2's grid: 10^p for 45 p evenly spaced over [−6, 5] (`torch.linspace(-6, 5, 45)`).
    public static let defaultGrid: [Double] = (0..<45).map { pow(10, -6 + 11 * Double($0) / 44) }

    public init(grid: [Double] = LinearProbe.defaultGrid, validationFraction: Double = 0.1, seed: UInt64 = 0,
                tolerance: Double = 1e-12, maxIterations: Int = 1000, precision: LogisticRegression.Precision = .float64) throws {
        guard !grid.isEmpty, grid.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw MetricError.invalidParameter(name: "--C", value: "\(grid)", expected: "positive numbers")
        }
        guard validationFraction > 0, validationFraction < 1 else {
            throw MetricError.invalidParameter(name: "validation fraction", value: "\(validationFraction)", expected: "in (0, 1)")
        }
        guard maxIterations >= 1 else {
            throw MetricError.invalidParameter(name: "--max-iter", value: "\(maxIterations)", expected: "≥ 1")
        }
        self.grid = grid
        self.validationFraction = validationFraction
        self.seed = seed
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.precision = precision
    }

    /// One point of the validation curve: a C and the top-1 accuracy (percent) on the validation slice.
    public struct ValidationPoint: Codable, Sendable, Equatable {
        public var C: Double
        public var top1Accuracy: Double

        enum CodingKeys: String, CodingKey { case C, top1Accuracy = "top1_accuracy" }
    }

    /// The probe's outcome on the test set.
    public struct Result: Sendable {
        /// The C the test figures come from.
        public var C: Double
        /// Empty when a single C was given.
        public var validation: [ValidationPoint]
        public var scores: ClassificationScores
        /// Whether the final fit met its tolerance (`LogisticRegression.Model.converged`).
        public var converged: Bool
        /// Why the final fit stopped, and after how many iterations.
        public var stop: LBFGS.Stop
        public var iterations: Int
    }

    /// Fits on `train` (labels in `0..<classes`), chooses C on the validation slice when the grid has several, and
    /// scores `test`.
    public func run(train: FeatureMatrix, trainLabels: [Int], test: FeatureMatrix, testLabels: [Int], classes: Int) throws -> Result {
        guard train.rows == trainLabels.count, test.rows == testLabels.count else {
            throw MetricError.incompatibleSets("features and labels differ in count (train \(train.rows)/\(trainLabels.count), test \(test.rows)/\(testLabels.count))")
        }
        guard train.features == test.features else {
            throw MetricError.incompatibleSets("train features are \(train.features)-dimensional but test features \(test.features)-dimensional")
        }
        guard test.rows >= 1 else { throw MetricError.tooFewSamples(metric: "linear probe test set", needed: 1, got: 0) }
        let present = Array(Set(trainLabels)).sorted()
        guard present.count >= 2 else {
            throw MetricError.tooFewClasses(metric: "linear probe", needed: 2, got: present.count, what: "train set")
        }
        try Self.checkMemory(samples: train.rows, features: train.features, classes: present.count, tests: test.rows,
                             precision: precision, memoryBytes: memoryBytes)
        var validation = [ValidationPoint](), C = grid[0], start: LogisticRegression.Model? = nil
        if grid.count > 1 {
            let (fitRows, heldOut) = Self.stratifiedSplit(trainLabels, fraction: validationFraction, seed: seed)
            guard !heldOut.isEmpty else {
                throw MetricError.tooFewSamples(metric: "linear probe validation slice (\(Int(validationFraction * 100)) % of each class)",
                                                needed: 1, got: 0)
            }
            let fitLabels = fitRows.map { trainLabels[$0] }
            let fitPresent = Array(Set(fitLabels)).sorted()
            let fitFeatures = train.selecting(fitRows), heldFeatures = train.selecting(heldOut)
            let heldLabels = heldOut.map { trainLabels[$0] }
            let sweepRows = LogisticRegression.Rows(fitFeatures, precision: precision)
            var best = -1.0
            for c in grid {
                let model = try fit(sweepRows, labels: fitLabels, present: fitPresent, C: c, start: start)
                start = model
                let predicted = Self.ranked(model.decision(heldFeatures), rows: heldFeatures.rows, present: fitPresent, depth: 1)
                let accuracy = 100 * Double(zip(predicted, heldLabels).filter { $0[0] == $1 }.count) / Double(heldLabels.count)
                validation.append(ValidationPoint(C: c, top1Accuracy: accuracy))
                if accuracy > best { best = accuracy; C = c }
            }
            start = nil
        }
        let model = try fit(LogisticRegression.Rows(train, precision: precision), labels: trainLabels, present: present, C: C, start: start)
        let ranking = Self.ranked(model.decision(test), rows: test.rows, present: present, depth: min(5, present.count))
        return Result(C: C, validation: validation, scores: ClassificationScores(ranking: ranking, labels: testLabels),
                      converged: model.converged, stop: model.stop, iterations: model.iterations)
    }

    /// Refuses a fit whose working memory cannot fit in `memoryBytes`: the objective's scores and residuals (samples ×
    /// classes each), its per-task gradients (a task per 1,024 rows), the optimiser's ten steps and the test set's
    /// decision scores. 32,000 train samples of as many classes aborted on a failed 8 GB allocation.
    static func checkMemory(samples: Int, features: Int, classes: Int, tests: Int, precision: LogisticRegression.Precision,
                            memoryBytes: Int) throws {
        let (n, d, k) = (Double(samples), Double(features), Double(classes))
        let width = precision == .float32 ? 4.0 : 8.0, tasks = (n / 1024).rounded(.up)
        let needed = 2 * n * k * width + tasks * k * d * width + 24 * k * (d + 1) * 8 + Double(tests) * k * 8
        try MetricError.checkMemory("the linear probe on \(samples) train samples of \(classes) classes and \(features) features (\(precision.rawValue))",
                                    needed: needed, memoryBytes: memoryBytes,
                                    remedy: precision == .float64 ? "use --precision float32, or fewer train samples or classes" : "use fewer train samples or classes")
    }

    /// A fit on the classes present in `labels` (numbered among themselves, as scikit-learn's `classes_`). One that
    /// cannot leave its zero start is refused: its "model" gives every sample the same class, an accuracy of nothing.
    private func fit(_ x: LogisticRegression.Rows, labels: [Int], present: [Int], C: Double, start: LogisticRegression.Model?) throws -> LogisticRegression.Model {
        let index = Dictionary(uniqueKeysWithValues: present.enumerated().map { ($1, $0) })
        let model = LogisticRegression(C: C, tolerance: tolerance, maxIterations: maxIterations, precision: precision)
            .fit(x, labels: labels.map { index[$0] ?? 0 }, classes: present.count, start: start)
        guard start != nil || model.iterations > 0 else {
            let why = model.stop == .lineSearch ? "could not take a first step from its zero start (no lower loss along the gradient)"
                : "stopped at its zero start (the gradient there is already below the tolerance)"
            throw MetricError.notFitted("the linear probe's fit at C=\(C) \(why) on features of magnitude up to "
                                        + String(format: "%g", x.largestMagnitude) + ": normalise them, or drop --no-normalize")
        }
        return model
    }

    /// Each row's `depth` best classes by decision score, best first (ties: the lower class first, as argmax), in the
    /// original class numbers.
    static func ranked(_ scores: [Double], rows: Int, present: [Int], depth: Int) -> [[Int]] {
        let width = present.count
        return (0..<rows).map { i in
            let row = scores[(i * width)..<((i + 1) * width)]
            return Array(0..<width).sorted { a, b in
                let x = row[row.startIndex + a], y = row[row.startIndex + b]
                return x > y || (x == y && a < b)
            }.prefix(depth).map { present[$0] }
        }
    }

    /// A seeded stratified split: per class (ascending), its samples shuffled and round(fraction·n) of them — at most
    /// n − 1 — held out. Both lists ascending.
    public static func stratifiedSplit(_ labels: [Int], fraction: Double, seed: UInt64) -> (kept: [Int], heldOut: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var byClass = [Int: [Int]]()
        for (i, label) in labels.enumerated() { byClass[label, default: []].append(i) }
        var kept = [Int](), heldOut = [Int]()
        for label in byClass.keys.sorted() {
            let members = byClass[label] ?? []
            let order = generator.permutation(members.count).map { members[$0] }
            let held = min(members.count - 1, Int((fraction * Double(members.count)).rounded()))
            heldOut += order.prefix(held)
            kept += order.dropFirst(held)
        }
        return (kept.sorted(), heldOut.sorted())
    }
}

/// Classification figures from each test sample's ranked predictions: top-1 and top-5 accuracy and mean per-class
/// recall (percent), with the per-sample outcomes behind the first two.
public struct ClassificationScores: Sendable, Equatable {
    public var predictions: [Int]
    public var top1Correct: [Bool]
    public var top5Hits: [Bool]
    public var top1Accuracy: Double
    public var top5Accuracy: Double
    /// The mean over the classes present in the labels of the share of their samples predicted right.
    public var meanPerClassRecall: Double

    public init(ranking: [[Int]], labels: [Int]) {
        predictions = ranking.map { $0.first ?? -1 }
        top1Correct = zip(predictions, labels).map { $0 == $1 }
        top5Hits = zip(ranking, labels).map { $0.prefix(5).contains($1) }
        let n = Double(max(labels.count, 1))
        top1Accuracy = 100 * Double(top1Correct.filter { $0 }.count) / n
        top5Accuracy = 100 * Double(top5Hits.filter { $0 }.count) / n
        var right = [Int: Int](), total = [Int: Int]()
        for (label, correct) in zip(labels, top1Correct) {
            total[label, default: 0] += 1
            if correct { right[label, default: 0] += 1 }
        }
        meanPerClassRecall = total.isEmpty ? 0
            : 100 * total.keys.reduce(0.0) { $0 + Double(right[$1] ?? 0) / Double(total[$1] ?? 1) } / Double(total.count)
    }
}
