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

    /// Cluster → class of the best one-to-one matching (clusters left unmatched are absent).
    let classOfCluster: [Int: Int]

    public init(classes: [Int], clusters: [Int]) {
        let table = Contingency(classes, clusters)
        (homogeneity, completeness, vMeasure) = table.homogeneityCompletenessVMeasure
        nmi = table.normalizedMutualInformation
        ari = table.adjustedRandIndex
        let matching = table.bestMatching
        clusterAccuracy = table.samples == 0 ? 0 : Double(matching.samples) / Double(table.samples)
        classOfCluster = matching.classOfCluster
    }

    /// Per sample: whether its cluster is matched to its class (what cluster accuracy counts), from this matching.
    public func matched(classes: [Int], clusters: [Int]) -> [Bool] {
        zip(classes, clusters).map { classOfCluster[$1] == $0 }
    }

    /// One score alone (NMI, ARI, V-measure in [0, 1]; cluster accuracy in percent): what a bootstrap recomputes per
    /// resample, without the others' cost. Nil for metrics that are not a clustering score.
    public static func value(of metric: Metric, classes: [Int], clusters: [Int]) -> Double? {
        let table = Contingency(classes, clusters)
        switch metric {
        case .nmi: return table.normalizedMutualInformation
        case .ari: return table.adjustedRandIndex
        case .vMeasure: return table.homogeneityCompletenessVMeasure.vMeasure
        case .clusterAccuracy: return table.samples == 0 ? 0 : 100 * Double(table.bestMatching.samples) / Double(table.samples)
        default: return nil
        }
    }

    /// Per sample: whether its cluster is matched to its class by the best one-to-one matching (what cluster accuracy
    /// counts).
    public static func matched(classes: [Int], clusters: [Int]) -> [Bool] {
        ClusteringScores(classes: classes, clusters: clusters).matched(classes: classes, clusters: clusters)
    }

    /// Refuses clusters scored against classes whose matching's dense classes × clusters table (8 bytes a cell) would
    /// not fit in `memoryBytes`: asked before k-means runs, so no fit is wasted. The matching's time, O(small² ·
    /// large), is only warned about (`matchingSteps`): about three minutes at 10,000 × 10,000.
    public static func checkMatching(classes: Int, clusters: Int, memoryBytes: Int = ProcessMemory.limit) throws {
        let most = Int(Double(memoryBytes) / (8 * Double(max(classes, 1))))
        try MetricError.checkMemory("cluster accuracy's classes × clusters table for matching \(classes) classes with \(clusters) clusters (Hungarian algorithm)",
                                    needed: Double(classes) * Double(clusters) * 8, memoryBytes: memoryBytes,
                                    remedy: most >= 2 ? "use --clusters \(most) or fewer" : "use fewer classes")
    }

    /// The Hungarian algorithm's steps, small² · large, on a classes × clusters table.
    public static func matchingSteps(classes: Int, clusters: Int) -> Double {
        let small = Double(min(classes, clusters)), large = Double(max(classes, clusters))
        return small * small * large
    }
}

/// Counts of samples per (class, cluster) pair, classes and clusters numbered by their sorted values, kept as the
/// non-zero cells only (at most one per sample): a resample of a bootstrap costs O(N log N), never classes × clusters.
struct Contingency {
    let samples: Int
    let rows: Int
    let columns: Int
    /// The non-zero cells, column by column and by row within a column: the order scipy's sparse `find` gives.
    let cells: [(row: Int, column: Int, count: Int)]
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
        let (r, c) = (rows, columns)
        let keys = (0..<samples).map { (columnIDs[b[$0]] ?? 0) * r + (rowIDs[a[$0]] ?? 0) }.sorted()
        var cells = [(row: Int, column: Int, count: Int)]()
        var rowSums = [Int](repeating: 0, count: r), columnSums = [Int](repeating: 0, count: c)
        var i = 0
        while i < keys.count {
            var j = i + 1
            while j < keys.count, keys[j] == keys[i] { j += 1 }
            let cell = (row: keys[i] % r, column: keys[i] / r, count: j - i)
            cells.append(cell)
            rowSums[cell.row] += cell.count
            columnSums[cell.column] += cell.count
            i = j
        }
        self.cells = cells
        self.rowSums = rowSums
        self.columnSums = columnSums
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
        for cell in cells {
            let count = Double(cell.count), share = count / n
            let outer = Double(rowSums[cell.row]) * Double(columnSums[cell.column])
            let term = share * (Foundation.log(count) - logN) + share * (-Foundation.log(outer) + logRowTotal + logColumnTotal)
            if abs(term) >= Double.ulpOfOne { mi += term }
        }
        return max(mi, 0)
    }

    /// The adjusted Rand index from the pair counts; 1 when no pair disagrees (including empty data).
    var adjustedRandIndex: Double {
        let n = samples
        var sumSquares = 0, rowDot = 0, columnDot = 0
        for cell in cells {
            sumSquares += cell.count * cell.count
            rowDot += cell.count * columnSums[cell.column]
            columnDot += cell.count * rowSums[cell.row]
        }
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

    /// The best one-to-one matching of rows to columns (Hungarian algorithm on the counts): the samples it covers,
    /// and the row (class label) each matched column (cluster label) goes to. The smaller side is matched into the
    /// larger, in O(small² · large): padding to a square made 4,000 clusters of 5 classes a 4,000² problem.
    var bestMatching: (samples: Int, classOfCluster: [Int: Int]) {
        guard rows > 0, columns > 0 else { return (0, [:]) }
        let transposed = rows > columns
        let (n, m) = transposed ? (columns, rows) : (rows, columns)
        var cost = [Int](repeating: 0, count: n * m)
        for cell in cells { cost[transposed ? cell.column * m + cell.row : cell.row * m + cell.column] = -cell.count }
        var covered = 0, classOf = [Int: Int]()
        for (i, j) in Hungarian.minimumAssignment(cost, rows: n, columns: m).enumerated() {
            let (row, column) = transposed ? (j, i) : (i, j)
            covered -= cost[i * m + j]
            classOf[columnLabels[column]] = rowLabels[row]
        }
        return (covered, classOf)
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
