import Foundation

/// How well a clustering recovers the classes, with scikit-learn's definitions and special cases
/// (`normalized_mutual_info_score` with the arithmetic mean, `adjusted_rand_score`,
/// `homogeneity_completeness_v_measure`), and cluster accuracy: the share of samples whose cluster is matched to their
/// class by the best one-to-one matching (Hungarian algorithm, as scipy's `linear_sum_assignment` on the contingency
/// table). Natural logarithms throughout.
public struct ClusteringScores: Sendable, Equatable {
    public var nmi: Double
    public var ari: Double
    public var homogeneity: Double
    public var completeness: Double
    public var vMeasure: Double
    /// In [0, 1].
    public var clusterAccuracy: Double

    public init(classes: [Int], clusters: [Int]) {
        let table = Contingency(classes, clusters)
        (homogeneity, completeness, vMeasure) = table.homogeneityCompletenessVMeasure
        nmi = table.normalizedMutualInformation
        ari = table.adjustedRandIndex
        clusterAccuracy = table.samples == 0 ? 0 : Double(table.bestMatching) / Double(table.samples)
    }

    /// One score alone (NMI, ARI, V-measure in [0, 1]; cluster accuracy in percent): what a bootstrap recomputes per
    /// resample, without the others' cost. Nil for metrics that are not a clustering score.
    public static func value(of metric: Metric, classes: [Int], clusters: [Int]) -> Double? {
        let table = Contingency(classes, clusters)
        switch metric {
        case .nmi: return table.normalizedMutualInformation
        case .ari: return table.adjustedRandIndex
        case .vMeasure: return table.homogeneityCompletenessVMeasure.vMeasure
        case .clusterAccuracy: return table.samples == 0 ? 0 : 100 * Double(table.bestMatching) / Double(table.samples)
        default: return nil
        }
    }

    /// Per sample: whether its cluster is matched to its class by the best one-to-one matching (what cluster accuracy
    /// counts).
    public static func matched(classes: [Int], clusters: [Int]) -> [Bool] {
        let table = Contingency(classes, clusters)
        let classOf = table.bestAssignment
        return zip(classes, clusters).map { classOf[$1] == $0 }
    }
}

/// Counts of samples per (class, cluster) pair, classes and clusters numbered by their sorted values.
struct Contingency {
    let samples: Int
    let rows: Int
    let columns: Int
    /// Row-major `rows × columns`.
    let counts: [Int]
    let rowSums: [Int]
    let columnSums: [Int]
    /// The labels the rows and columns stand for, ascending.
    let rowLabels: [Int]
    let columnLabels: [Int]

    init(_ a: [Int], _ b: [Int]) {
        rowLabels = Array(Set(a)).sorted()
        columnLabels = Array(Set(b)).sorted()
        let rowIDs = Dictionary(uniqueKeysWithValues: rowLabels.enumerated().map { ($1, $0) })
        let columnIDs = Dictionary(uniqueKeysWithValues: columnLabels.enumerated().map { ($1, $0) })
        samples = min(a.count, b.count)
        rows = rowIDs.count
        columns = columnIDs.count
        var counts = [Int](repeating: 0, count: rows * columns)
        for i in 0..<samples { counts[(rowIDs[a[i]] ?? 0) * columns + (columnIDs[b[i]] ?? 0)] += 1 }
        self.counts = counts
        let (r, c) = (rowIDs.count, columnIDs.count)
        rowSums = (0..<r).map { row in (0..<c).reduce(0) { $0 + counts[row * c + $1] } }
        columnSums = (0..<c).map { column in (0..<r).reduce(0) { $0 + counts[$1 * c + column] } }
    }

    /// −Σ pᵢ·(log nᵢ − log n) over the non-zero counts; 0 for a single group.
    func entropy(of sums: [Int]) -> Double {
        guard sums.count > 1 else { return 0 }
        let total = Double(sums.reduce(0, +))
        return -sums.reduce(0.0) { h, n in n == 0 ? h : h + (Double(n) / total) * (Foundation.log(Double(n)) - Foundation.log(total)) }
    }

    /// Mutual information of the two labelings, as scikit-learn sums it over the non-zero cells (terms below machine
    /// epsilon dropped, the sum clipped at 0); 0 when either has a single group.
    var mutualInformation: Double {
        guard rows > 1, columns > 1 else { return 0 }
        let n = Double(samples), logN = Foundation.log(n)
        let logRowTotal = Foundation.log(Double(rowSums.reduce(0, +))), logColumnTotal = Foundation.log(Double(columnSums.reduce(0, +)))
        var mi = 0.0
        // Column by column, the order scipy's sparse `find` gives the non-zero cells in.
        for c in 0..<columns {
            for r in 0..<rows where counts[r * columns + c] > 0 {
                let count = Double(counts[r * columns + c]), share = count / n
                let outer = Double(rowSums[r]) * Double(columnSums[c])
                let term = share * (Foundation.log(count) - logN) + share * (-Foundation.log(outer) + logRowTotal + logColumnTotal)
                if abs(term) >= Double.ulpOfOne { mi += term }
            }
        }
        return max(mi, 0)
    }

    /// The adjusted Rand index from the pair counts; 1 when no pair disagrees (including empty data).
    var adjustedRandIndex: Double {
        let n = samples
        let sumSquares = counts.reduce(0) { $0 + $1 * $1 }
        var rowDot = 0, columnDot = 0
        for r in 0..<rows { for c in 0..<columns { rowDot += counts[r * columns + c] * columnSums[c]; columnDot += counts[r * columns + c] * rowSums[r] } }
        let tp = sumSquares - n, fp = rowDot - sumSquares, fn = columnDot - sumSquares
        let tn = n * n - fp - fn - sumSquares
        if fn == 0 && fp == 0 { return 1 }
        let numerator = 2.0 * (Double(tp) * Double(tn) - Double(fn) * Double(fp))
        return numerator / (Double(tp + fn) * Double(fn + tn) + Double(tp + fp) * Double(fp + tn))
    }

    /// NMI with the arithmetic mean of the entropies; 1 when both labelings have a single (or no) group.
    var normalizedMutualInformation: Double {
        if rows == columns && rows <= 1 { return 1 }
        let mi = mutualInformation
        guard mi != 0 else { return 0 }
        return mi / ((entropy(of: rowSums) + entropy(of: columnSums)) / 2)
    }

    var homogeneityCompletenessVMeasure: (homogeneity: Double, completeness: Double, vMeasure: Double) {
        let mi = mutualInformation
        let hClasses = entropy(of: rowSums), hClusters = entropy(of: columnSums)
        let homogeneity = hClasses != 0 ? mi / hClasses : 1
        let completeness = hClusters != 0 ? mi / hClusters : 1
        let v = homogeneity + completeness == 0 ? 0 : 2 * homogeneity * completeness / (homogeneity + completeness)
        return (homogeneity, completeness, v)
    }

    /// The row matched to each column by the best one-to-one matching, by the original labels: cluster → class.
    var bestAssignment: [Int: Int] {
        let assignment = hungarian()
        var classOf = [Int: Int]()
        for r in 0..<rows where assignment[r] < columns { classOf[columnLabels[assignment[r]]] = rowLabels[r] }
        return classOf
    }

    /// The most samples a one-to-one matching of rows to columns can cover (Hungarian algorithm on the counts).
    var bestMatching: Int {
        let assignment = hungarian()
        return (0..<rows).reduce(0) { total, r in
            let c = assignment[r]
            return c < columns ? total + counts[r * columns + c] : total
        }
    }

    /// The column of each row in the matching of most samples (`columns` for a row left unmatched). The smaller
    /// side is matched into the larger, in O(small² · large): padding to a square made 4,000 clusters of 5 classes
    /// a 4,000² problem (128 s, and 3.2 GB at 20,000).
    private func hungarian() -> [Int] {
        guard rows > 0, columns > 0 else { return [Int](repeating: columns, count: rows) }
        if rows <= columns {
            return Hungarian.minimumAssignment((0..<(rows * columns)).map { -counts[$0] }, rows: rows, columns: columns)
        }
        let transposed = (0..<(columns * rows)).map { i in -counts[(i % rows) * columns + i / rows] }
        var assignment = [Int](repeating: columns, count: rows)
        for (c, r) in Hungarian.minimumAssignment(transposed, rows: columns, columns: rows).enumerated() { assignment[r] = c }
        return assignment
    }
}

/// The assignment problem (Kuhn–Munkres with potentials, O(n²m)): for an n×m cost matrix with n ≤ m, the column of
/// each row in a one-to-one assignment of least total cost.
enum Hungarian {
    static func minimumAssignment(_ cost: [Int], rows n: Int, columns m: Int) -> [Int] {
        guard n > 0, n <= m, cost.count == n * m else { return [] }
        let infinity = Int.max / 4
        var u = [Int](repeating: 0, count: n + 1), v = [Int](repeating: 0, count: m + 1)
        var match = [Int](repeating: 0, count: m + 1), way = [Int](repeating: 0, count: m + 1)
        for row in 1...n {
            match[0] = row
            var column = 0
            var least = [Int](repeating: infinity, count: m + 1), used = [Bool](repeating: false, count: m + 1)
            repeat {
                used[column] = true
                let r = match[column]
                var delta = infinity, next = 0
                for c in 1...m where !used[c] {
                    let reduced = cost[(r - 1) * m + (c - 1)] - u[r] - v[c]
                    if reduced < least[c] { least[c] = reduced; way[c] = column }
                    if least[c] < delta { delta = least[c]; next = c }
                }
                for c in 0...m {
                    if used[c] { u[match[c]] += delta; v[c] -= delta } else { least[c] -= delta }
                }
                column = next
            } while match[column] != 0
            repeat {
                let previous = way[column]
                match[column] = match[previous]
                column = previous
            } while column != 0
        }
        var assignment = [Int](repeating: 0, count: n)
        for c in 1...m where match[c] > 0 { assignment[match[c] - 1] = c - 1 }
        return assignment
    }
}
