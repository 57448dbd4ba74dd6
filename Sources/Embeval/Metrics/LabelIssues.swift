import Foundation

/// Label-error candidates by confident learning, as cleanlab's `Datalab` finds them from features: out-of-sample
/// class probabilities from the k nearest other samples (the share of them in each class), per-class confident
/// thresholds, the calibrated confident joint, and `prune_by_noise_rate` — for each given class and each other
/// class, the joint's count of samples with the largest margin p(other) − p(given) are flagged; a sample whose
/// given class is still its most probable one is never flagged. Candidates are ranked by self-confidence
/// p(given), lowest first.
///
/// Probabilities are kept as each sample's neighbour labels (k per sample), so memory is O(N·k), not O(N·classes).
public struct LabelIssues: Sendable {
    /// Flagged sample indices, by self-confidence ascending (ties: smaller index first).
    public let flagged: [Int]
    /// p(given class) per sample: cleanlab's `label_score`.
    public let selfConfidence: [Double]
    /// The most probable class per sample (ties: the smaller class id), as `predicted_label`.
    public let suggested: [Int]
    /// Per class (of `classes`), the mean p(class) over the samples labelled with it, clipped at 2·10⁻⁶
    /// (2 where no sample has the class).
    public let thresholds: [Double]
    /// The calibrated confident joint, [given][true], over the classes present.
    public let confidentJoint: [[Int]]

    /// - Parameters:
    ///   - neighbourLabels: per sample, the labels of its k nearest other samples (row-major, `labels.count × k`).
    ///   - labels: each sample's given class, in `0..<classes`.
    /// CleanLearning's `min_examples_per_class`: a class keeps at least this many samples unflagged, and one with
    /// no more samples than this is not pruned at all.
    public static let minimumPerClass = 10

    public init(neighbourLabels: [Int], k: Int, labels: [Int], classes: Int) throws {
        let n = labels.count
        guard k >= 1, neighbourLabels.count == n * k else {
            throw MetricError.incompatibleSets("label issues need k ≥ 1 neighbour labels per sample: \(neighbourLabels.count) for \(n) samples at k = \(k)")
        }
        if let bad = (labels + neighbourLabels).first(where: { !(0..<classes).contains($0) }) {
            throw MetricError.invalidParameter(name: "label", value: "\(bad)", expected: "a class id in 0..<\(classes)")
        }
        // cleanlab works on the classes present (Datalab maps labels to 0..<K'); absent classes hold no probability
        // mass anyway, but would add rows to the joint.
        let present = Array(Set(labels)).sorted()
        let local = Dictionary(uniqueKeysWithValues: present.enumerated().map { ($1, $0) })
        let K = present.count
        let y = labels.map { local[$0] ?? 0 }
        let votes = neighbourLabels.map { local[$0] ?? -1 }          // a neighbour's label is some sample's label
        let probs = NeighbourProbabilities(votes: votes, k: k, classes: K)
        let confidence = (0..<n).map { probs.value($0, y[$0]) }
        let predicted = (0..<n).map(probs.argmax)

        let counts = y.reduce(into: [Int](repeating: 0, count: K)) { $0[$1] += 1 }
        var sums = [Double](repeating: 0, count: K)
        for i in 0..<n { sums[y[i]] += confidence[i] }
        let t = (0..<K).map { c in counts[c] == 0 ? 2 : max(sums[c] / Double(counts[c]), 2e-6) }

        // The confident joint: a sample counts for (given, guess) when at least one class is at or above its
        // threshold; the guess is the most probable class if several are, else the confident one.
        var joint = [[Double]](repeating: [Double](repeating: 0, count: K), count: K)
        for i in 0..<n {
            var confident = 0, first = -1
            for c in probs.classes(of: i) where probs.value(i, c) >= t[c] - 1e-6 {
                confident += 1
                if first < 0 || c < first { first = c }
            }
            guard confident > 0 else { continue }
            joint[y[i]][confident > 1 ? predicted[i] : first] += 1
        }
        for c in 0..<K { joint[c][c] = max(joint[c][c], 1) }
        let calibrated = Self.calibrate(joint, counts: counts)

        let prune = Self.keepAtLeast(Self.minimumPerClass, perClassOf: Self.transpose(calibrated))
        var isFlagged = [Bool](repeating: false, count: n)
        var members = [[Int]](repeating: [], count: K)
        for i in 0..<n { members[y[i]].append(i) }
        for given in 0..<K where members[given].count > Self.minimumPerClass {
            for other in 0..<K where other != given && prune[other][given] > 0 {
                let rows = members[given]
                let margins = rows.map { probs.value($0, other) - confidence[$0] }
                let order = rows.indices.sorted { margins[$0] != margins[$1] ? margins[$0] > margins[$1] : $0 < $1 }
                for r in order.prefix(prune[other][given]) { isFlagged[rows[r]] = true }
            }
        }
        for i in 0..<n where isFlagged[i] {
            // cleanlab's `_reduce_issues`: kept when the given class wins with a 10⁻⁶ head start.
            var best = 0, bestValue = -Double.infinity
            for c in probs.classes(of: i) + [y[i]] {    // a class without votes never beats the head start
                let v = probs.value(i, c) + (c == y[i] ? 1e-6 : 0)
                if v > bestValue { (best, bestValue) = (c, v) }
            }
            if best == y[i] { isFlagged[i] = false }
        }

        selfConfidence = confidence
        suggested = predicted.map { present[$0] }
        flagged = (0..<n).filter { isFlagged[$0] }.sorted { confidence[$0] != confidence[$1] ? confidence[$0] < confidence[$1] : $0 < $1 }
        var allThresholds = [Double](repeating: 2, count: classes)
        for (c, label) in present.enumerated() { allThresholds[label] = t[c] }
        thresholds = allThresholds
        confidentJoint = calibrated
    }

    /// Peak bytes per (class, class) cell: the confident joint, its calibrated and transposed copies and the prune
    /// counts, as measured (10,000 classes: 3.96 GB, 40 a cell), rounded up.
    static let bytesPerClassPair = 48

    /// Refuses label issues over `classes` classes whose classes × classes tables would not fit in `memoryBytes`.
    static func checkMemory(classes: Int, memoryBytes: Int) throws {
        try MetricError.checkMemory("label issues over \(classes) classes (cleanlab's confident joint and its copies, classes × classes)",
                                    needed: Double(classes) * Double(classes) * Double(bytesPerClassPair), memoryBytes: memoryBytes,
                                    remedy: "audit a subset of the classes, or the .npy without --labels (duplicates and outliers need none)")
    }

    /// cleanlab's `calibrate_confident_joint`: each row scaled to its class's count, the whole to the sample
    /// count, then rounded keeping each row's total.
    static func calibrate(_ joint: [[Double]], counts: [Int]) -> [[Int]] {
        var m = joint.enumerated().map { i, row in
            let total = max(row.reduce(0, +), 1e-100)
            return row.map { $0 / total * Double(counts[i]) }
        }
        let sum = max(m.joined().reduce(0, +), 1e-100), n = Double(counts.reduce(0, +))
        m = m.map { $0.map { $0 / sum * n } }
        return m.map(roundKeepingTotal)
    }

    /// cleanlab's `_keep_at_least_n_per_class` on the prune-count matrix ([true][given]): a diagonal below n is
    /// raised to n, the difference taken evenly from the column's non-zero noise counts; then truncated to integers.
    static func keepAtLeast(_ minimum: Int, perClassOf matrix: [[Int]]) -> [[Int]] {
        let K = matrix.count
        var m = matrix.map { $0.map(Double.init) }
        for j in 0..<K {
            let diff = Double(max(matrix[j][j], minimum) - matrix[j][j])
            let nonZero = (0..<K).filter { matrix[$0][j] != 0 }.count
            let share = diff / max(Double(nonZero) - 1, 1)
            for i in 0..<K { m[i][j] = max(m[i][j] - share, 0) }
            m[j][j] = Double(max(matrix[j][j], minimum))
        }
        return m.map { $0.map { Int($0) } }
    }

    /// numpy-style rounding (half to even) that keeps the row's rounded total: the entries with the largest
    /// remainders go up (or the smallest go down) until it does.
    static func roundKeepingTotal(_ row: [Double]) -> [Int] {
        var ints = row.map { $0.rounded(.toNearestOrEven) }
        let target = row.reduce(0, +).rounded(.toNearestOrEven)
        var total = ints.reduce(0, +).rounded(.toNearestOrEven)
        var guardSteps = row.count + 2
        while abs(total - target) > 1e-6 && guardSteps > 0 {
            let diff = (target - total).rounded(.toNearestOrEven)
            let step: Double = diff < 0 ? -1 : 1
            let changes = min(Int(abs(diff)), row.count)
            var order = row.indices.sorted { (row[$0] - ints[$0], $0) < (row[$1] - ints[$1], $1) }
            if step > 0 { order.reverse() }
            for i in order.prefix(changes) { ints[i] += step }
            total = ints.reduce(0, +).rounded(.toNearestOrEven)
            guardSteps -= 1
        }
        return ints.map { Int($0) }
    }

    static func transpose(_ m: [[Int]]) -> [[Int]] {
        m.indices.map { j in m.indices.map { i in m[i][j] } }
    }
}

/// Out-of-sample kNN class probabilities held as votes: p(i, c) = (neighbours of i in class c) / k.
struct NeighbourProbabilities {
    let votes: [Int]
    let k: Int
    let classes: Int

    func value(_ i: Int, _ c: Int) -> Double {
        var n = 0
        for v in votes[(i * k)..<((i + 1) * k)] where v == c { n += 1 }
        return Double(n) / Double(k)
    }

    /// The classes with a non-zero probability, ascending.
    func classes(of i: Int) -> [Int] {
        Array(Set(votes[(i * k)..<((i + 1) * k)].filter { $0 >= 0 })).sorted()
    }

    /// The most probable class; ties go to the smaller class id (numpy's argmax).
    func argmax(_ i: Int) -> Int {
        var best = 0, bestValue = -1.0
        for c in classes(of: i) {
            let v = value(i, c)
            if v > bestValue { (best, bestValue) = (c, v) }
        }
        return best
    }
}
