import Foundation

/// Counts of (true class, predicted class) over a set of predictions, and what a report draws from them: per-class
/// recall with a 95 % interval, the most confused pairs, and an order of the classes that puts confused classes
/// side by side (so blocks appear in the heat map).
public struct ConfusionMatrix: Sendable, Equatable {
    public let classCount: Int
    /// Correct predictions per class.
    private let hits: [Int]
    /// Samples per true class (row sums): read by every recall, order and figure, so summed once.
    private let supports: [Int]
    /// The off-diagonal cells that are not 0, keyed by (true class, predicted class): a matrix of many classes
    /// (labels up to 2²⁰) costs its classes and its samples, never their square.
    private let confusions: [Cell: Int]

    private struct Cell: Hashable, Sendable { var truth: Int, predicted: Int }

    /// Predictions outside `0..<classCount` (or a label outside it) are an error naming the sample.
    public init(labels: [Int], predictions: [Int], classCount: Int) throws {
        guard labels.count == predictions.count else {
            throw MetricError.incompatibleSets("\(labels.count) labels but \(predictions.count) predictions")
        }
        guard classCount >= 1 else { throw MetricError.tooFewSamples(metric: "confusion matrix classes", needed: 1, got: classCount) }
        if let i = labels.indices.first(where: { !(0..<classCount).contains(labels[$0]) || !(0..<classCount).contains(predictions[$0]) }) {
            throw MetricError.incompatibleSets("sample \(i): class \(labels[i]) predicted as \(predictions[i]), outside the \(classCount) classes")
        }
        var hits = [Int](repeating: 0, count: classCount), supports = hits, confusions = [Cell: Int]()
        for (label, predicted) in zip(labels, predictions) {
            supports[label] += 1
            if label == predicted { hits[label] += 1 } else { confusions[Cell(truth: label, predicted: predicted), default: 0] += 1 }
        }
        self.classCount = classCount
        self.hits = hits
        self.supports = supports
        self.confusions = confusions
    }

    public subscript(truth: Int, predicted: Int) -> Int {
        truth == predicted ? hits[truth] : confusions[Cell(truth: truth, predicted: predicted)] ?? 0
    }

    public func support(_ c: Int) -> Int { supports[c] }

    /// Recall of class `c` and its 95 % Wilson score interval (nil for a class without samples).
    public func recall(_ c: Int) -> (value: Double, low: Double, high: Double)? {
        let n = support(c)
        guard n > 0 else { return nil }
        let p = Double(self[c, c]) / Double(n), z = 1.959963984540054, nn = Double(n)
        let centre = (p + z * z / (2 * nn)) / (1 + z * z / nn)
        let half = z / (1 + z * z / nn) * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot()
        return (p, max(0, centre - half), min(1, centre + half))
    }

    /// Off-diagonal cells by count, descending (ties: smaller true class, then smaller predicted class).
    public func mostConfused(_ limit: Int) -> [(truth: Int, predicted: Int, count: Int)] {
        let cells = confusions.map { (truth: $0.key.truth, predicted: $0.key.predicted, count: $0.value) }
            .sorted { ($0.count, -$0.truth, -$0.predicted) > ($1.count, -$1.truth, -$1.predicted) }
        return Array(cells.prefix(max(0, limit)))
    }

    /// `classes` in an order where confused ones sit together: greedy chains over the symmetric confusion
    /// (row-normalised, so large classes do not dominate) — start from the most confused class, append the unplaced
    /// class most confused with the last one placed, start a new chain from the most confused remaining class when
    /// none is. Deterministic (ties: the class given first). Quadratic in the classes given: a figure's, not all.
    public func confusionOrder(of classes: [Int]) -> [Int] {
        let n = classes.count
        func rate(_ t: Int, _ p: Int) -> Double { Double(self[t, p]) / Double(max(support(t), 1)) }
        var link = [Double](repeating: 0, count: n * n)
        for a in 0..<n { for b in 0..<n where a != b { link[a * n + b] = rate(classes[a], classes[b]) + rate(classes[b], classes[a]) } }
        let total = (0..<n).map { a in (0..<n).reduce(0.0) { $0 + link[a * n + $1] } }
        var placed = [Bool](repeating: false, count: n), order = [Int]()
        while order.count < n {
            var next = -1
            if let last = order.last {
                var best = 0.0
                for c in 0..<n where !placed[c] && link[last * n + c] > best { best = link[last * n + c]; next = c }
            }
            if next < 0 {
                var best = -1.0
                for c in 0..<n where !placed[c] && total[c] > best { best = total[c]; next = c }
            }
            placed[next] = true
            order.append(next)
        }
        return order.map { classes[$0] }
    }
}
