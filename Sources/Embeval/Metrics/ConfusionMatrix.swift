import Foundation

/// Counts of (true class, predicted class) over a set of predictions, and what a report draws from them: per-class
/// recall with a 95 % interval, the most confused pairs, and an order of the classes that puts confused classes
/// side by side (so blocks appear in the heat map).
public struct ConfusionMatrix: Sendable, Equatable {
    public let classCount: Int
    /// `classCount × classCount`, row = true class, column = predicted class.
    public let counts: [Int]
    /// Samples per true class (row sums): read by every recall, order and figure, so summed once.
    private let supports: [Int]

    /// Predictions outside `0..<classCount` (or a label outside it) are an error naming the sample.
    public init(labels: [Int], predictions: [Int], classCount: Int) throws {
        guard labels.count == predictions.count else {
            throw MetricError.incompatibleSets("\(labels.count) labels but \(predictions.count) predictions")
        }
        guard classCount >= 1 else { throw MetricError.tooFewSamples(metric: "confusion matrix classes", needed: 1, got: classCount) }
        var counts = [Int](repeating: 0, count: classCount * classCount)
        for (i, (label, predicted)) in zip(labels, predictions).enumerated() {
            guard (0..<classCount).contains(label), (0..<classCount).contains(predicted) else {
                throw MetricError.incompatibleSets("sample \(i): class \(label) predicted as \(predicted), outside the \(classCount) classes")
            }
            counts[label * classCount + predicted] += 1
        }
        self.classCount = classCount
        self.counts = counts
        supports = (0..<classCount).map { c in counts[(c * classCount)..<((c + 1) * classCount)].reduce(0, +) }
    }

    public subscript(truth: Int, predicted: Int) -> Int { counts[truth * classCount + predicted] }

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
        var cells = [(truth: Int, predicted: Int, count: Int)]()
        for t in 0..<classCount { for p in 0..<classCount where p != t && self[t, p] > 0 { cells.append((t, p, self[t, p])) } }
        cells.sort { ($0.count, -$0.truth, -$0.predicted) > ($1.count, -$1.truth, -$1.predicted) }
        return Array(cells.prefix(max(0, limit)))
    }

    /// The classes in an order where confused ones sit together: greedy chains over the symmetric confusion
    /// (row-normalised, so large classes do not dominate) — start from the most confused class, append the unplaced
    /// class most confused with the last one placed, start a new chain from the most confused remaining class when
    /// none is. Deterministic (ties: smaller class).
    public func confusionOrder() -> [Int] {
        let n = classCount
        var rate = [Double](repeating: 0, count: n * n)
        for t in 0..<n {
            let s = Double(max(support(t), 1))
            for p in 0..<n where p != t { rate[t * n + p] = Double(self[t, p]) / s }
        }
        func link(_ a: Int, _ b: Int) -> Double { rate[a * n + b] + rate[b * n + a] }
        let total = (0..<n).map { a in (0..<n).reduce(0.0) { $0 + ($1 == a ? 0 : link(a, $1)) } }
        var placed = [Bool](repeating: false, count: n), order = [Int]()
        while order.count < n {
            var next = -1
            if let last = order.last {
                var best = 0.0
                for c in 0..<n where !placed[c] && link(last, c) > best { best = link(last, c); next = c }
            }
            if next < 0 {
                var best = -1.0
                for c in 0..<n where !placed[c] && total[c] > best { best = total[c]; next = c }
            }
            placed[next] = true
            order.append(next)
        }
        return order
    }
}
