import Foundation

/// k-means clustering as scikit-learn's `KMeans` (Lloyd) and `MiniBatchKMeans` run it, seeded by SplitMix64:
///
/// - k-means++ initialisation with 2 + ⌊ln k⌋ candidates per centre, each centre the candidate that lowers the
///   potential most (scikit-learn's greedy variant);
/// - Lloyd iterations: every point to its nearest centre (‖c‖² − 2x·c, the lower index on ties), centres to the
///   means, an empty cluster taking the point farthest from its centre; stop when no label changes, or when the
///   squared centre shift falls to `tolerance` × the mean per-feature variance, or after `maxIterations`; then the
///   labels of the final centres;
/// - the best of `initialisations` runs by inertia (sum of squared distances to the centres).
///
/// With the same initial centres (`fit(_:from:)`) the labels equal scikit-learn's; its own random draws (numpy's
/// Mersenne Twister) are not reproduced, so seeded runs agree in quality, not bit for bit.
public struct KMeans: Sendable {
    public var clusters: Int
    public var initialisations: Int
    public var maxIterations: Int
    public var tolerance: Double
    public var seed: UInt64

    public init(clusters: Int, initialisations: Int = 10, maxIterations: Int = 300, tolerance: Double = 1e-4, seed: UInt64 = 0) {
        self.clusters = clusters
        self.initialisations = initialisations
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
    }

    public struct Result: Sendable {
        public var labels: [Int]
        /// Row-major `clusters × features`.
        public var centres: [Double]
        public var inertia: Double
        public var iterations: Int
    }

    /// The best of `initialisations` seeded k-means++ starts.
    public func fit(_ x: FeatureMatrix) -> Result {
        var generator = SeededGenerator(seed: seed)
        let threshold = Self.meanVariance(x) * tolerance
        var best: Result? = nil
        for _ in 0..<max(1, initialisations) {
            let run = lloyd(x, from: Self.plusPlus(x, clusters: clusters, generator: &generator), threshold: threshold)
            if best == nil || run.inertia < (best?.inertia ?? .infinity) { best = run }
        }
        return best ?? lloyd(x, from: Self.plusPlus(x, clusters: clusters, generator: &generator), threshold: threshold)
    }

    /// Lloyd iterations from the given centres (row-major `clusters × features`).
    public func fit(_ x: FeatureMatrix, from initial: [Double]) -> Result {
        lloyd(x, from: initial, threshold: Self.meanVariance(x) * tolerance)
    }

    /// Lloyd iterations until no label changes or the centres' squared shift is at most `threshold`.
    private func lloyd(_ x: FeatureMatrix, from initial: [Double], threshold: Double) -> Result {
        let n = x.rows, d = x.features, k = clusters
        var centres = initial, labels = [Int](repeating: -1, count: n), previous = labels
        var iterations = 0, strict = false
        for iteration in 0..<max(1, maxIterations) {
            iterations = iteration + 1
            let (assigned, _) = Self.assign(x, centres: centres, clusters: k)
            labels = assigned
            var updated = Self.means(x, labels: labels, clusters: k)
            Self.relocateEmpty(x, labels: &labels, centres: centres, sums: &updated.sums, counts: &updated.counts, clusters: k)
            var shift = 0.0
            var next = centres
            for c in 0..<k where updated.counts[c] > 0 {
                for j in 0..<d { next[c * d + j] = updated.sums[c * d + j] / Double(updated.counts[c]) }
            }
            for i in 0..<(k * d) { let t = next[i] - centres[i]; shift += t * t }
            centres = next
            if labels == previous { strict = true; break }
            if shift <= threshold { break }
            previous = labels
        }
        if !strict { labels = Self.assign(x, centres: centres, clusters: k).labels }
        return Result(labels: labels, centres: centres, inertia: Self.inertia(x, labels: labels, centres: centres), iterations: iterations)
    }

    /// Each row's nearest centre by ‖c‖² − 2x·c (ties to the lower index), and that distance term.
    static func assign(_ x: FeatureMatrix, centres: [Double], clusters k: Int) -> (labels: [Int], scores: [Double]) {
        let n = x.rows, d = x.features
        var products = [Double](repeating: 0, count: n * k)
        x.values.withUnsafeBufferPointer { a in
            centres.withUnsafeBufferPointer { c in
                products.withUnsafeMutableBufferPointer { p in
                    BLAS.multiply(a, transposeA: false, c, transposeB: true, m: n, n: k, k: d, into: p)
                }
            }
        }
        let norms = (0..<k).map { c in (0..<d).reduce(0.0) { $0 + centres[c * d + $1] * centres[c * d + $1] } }
        var labels = [Int](repeating: 0, count: n), scores = [Double](repeating: 0, count: n)
        // Rows are independent: split over the cores (the same labels as one pass).
        labels.withUnsafeMutableBufferPointer { l in scores.withUnsafeMutableBufferPointer { sc in products.withUnsafeBufferPointer { p in
            Parallel.forEachRange(n) { rows in
                for i in rows {
                    var best = 0, bestScore = Double.infinity
                    for c in 0..<k {
                        let score = norms[c] - 2 * p[i * k + c]
                        if score < bestScore { bestScore = score; best = c }
                    }
                    l[i] = best
                    sc[i] = bestScore
                }
            }
        }}}
        return (labels, scores)
    }

    static func means(_ x: FeatureMatrix, labels: [Int], clusters k: Int) -> (sums: [Double], counts: [Int]) {
        let d = x.features
        var sums = [Double](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
        for c in labels { counts[c] += 1 }
        // Each core sums its own band of features, every sum still taken in row order: the same bits as one pass.
        let bands = max(1, min(d, ProcessInfo.activeCores))
        x.values.withUnsafeBufferPointer { v in
            sums.withUnsafeMutableBufferPointer { s in
                labels.withUnsafeBufferPointer { l in
                    Parallel.forEach(bands) { b in
                        let first = b * d / bands, end = (b + 1) * d / bands
                        for i in 0..<x.rows {
                            let row = v.baseAddress! + i * d, sum = s.baseAddress! + l[i] * d
                            for j in first..<end { sum[j] += row[j] }
                        }
                    }
                }
            }
        }
        return (sums, counts)
    }

    /// An empty cluster takes the point farthest from its centre (the next farthest for the next empty one).
    static func relocateEmpty(_ x: FeatureMatrix, labels: inout [Int], centres: [Double], sums: inout [Double],
                              counts: inout [Int], clusters k: Int) {
        let empty = (0..<k).filter { counts[$0] == 0 }
        guard !empty.isEmpty else { return }
        let d = x.features
        let distances = (0..<x.rows).map { i in
            (0..<d).reduce(0.0) { s, j in let t = x.values[i * d + j] - centres[labels[i] * d + j]; return s + t * t }
        }
        let farthest = distances.indices.sorted { distances[$0] != distances[$1] ? distances[$0] > distances[$1] : $0 < $1 }
        for (cluster, point) in zip(empty, farthest) {
            let old = labels[point]
            guard counts[old] > 1 else { continue }
            for j in 0..<d {
                sums[old * d + j] -= x.values[point * d + j]
                sums[cluster * d + j] = x.values[point * d + j]
            }
            counts[old] -= 1
            counts[cluster] = 1
            labels[point] = cluster
        }
    }

    static func inertia(_ x: FeatureMatrix, labels: [Int], centres: [Double]) -> Double {
        let d = x.features
        var total = 0.0
        for i in 0..<x.rows {
            for j in 0..<d { let t = x.values[i * d + j] - centres[labels[i] * d + j]; total += t * t }
        }
        return total
    }

    /// The mean over features of each feature's variance (population variance, as numpy's `var`).
    static func meanVariance(_ x: FeatureMatrix) -> Double {
        // Row by row (the matrix is row-major), each column's sums still taken in row order.
        let n = Double(max(x.rows, 1)), d = x.features
        var means = [Double](repeating: 0, count: d), variances = [Double](repeating: 0, count: d)
        x.values.withUnsafeBufferPointer { v in
            for i in 0..<x.rows { for j in 0..<d { means[j] += v[i * d + j] } }
            for j in 0..<d { means[j] /= n }
            for i in 0..<x.rows { for j in 0..<d { let t = v[i * d + j] - means[j]; variances[j] += t * t } }
        }
        var total = 0.0
        for j in 0..<d { total += variances[j] / n }
        return total / Double(max(d, 1))
    }

    /// ‖a − b‖² in eight lanes (a vector's worth of independent sums, then their total): k-means++ measures every
    /// row against every candidate, and one running sum would wait on each addition.
    @inline(__always) static func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count d: Int) -> Double {
        var lanes = SIMD8<Double>.zero
        var j = 0
        while j + 8 <= d {
            let t = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Double>.self) - UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Double>.self)
            lanes += t * t
            j += 8
        }
        var s = lanes.sum()
        while j < d { let t = a[j] - b[j]; s += t * t; j += 1 }
        return s
    }

    /// Greedy k-means++: the first centre uniformly, then for each next one 2 + ⌊ln k⌋ candidates drawn in
    /// proportion to the squared distance to the nearest chosen centre, keeping the one that lowers the potential most.
    static func plusPlus(_ x: FeatureMatrix, clusters k: Int, generator: inout SeededGenerator) -> [Double] {
        let n = x.rows, d = x.features
        guard n > 0, k > 0 else { return [] }
        let trials = 2 + Int(Foundation.log(Double(k)))
        func row(_ i: Int) -> ArraySlice<Double> { x.values[(i * d)..<((i + 1) * d)] }
        /// Each row's squared distance to row i, or `closest`'s entry where that is smaller; rows split over the cores.
        func squaredDistances(to i: Int, within closest: [Double]? = nil) -> [Double] {
            x.values.withUnsafeBufferPointer { v in
                [Double](unsafeUninitializedCapacity: n) { out, count in
                    let o = out.baseAddress!
                    let centre = v.baseAddress! + i * d
                    Parallel.forEachRange(n) { rows in
                        for p in rows {
                            let s = Self.squaredDistance(v.baseAddress! + p * d, centre, count: d)
                            o[p] = closest.map { min($0[p], s) } ?? s
                        }
                    }
                    count = n
                }
            }
        }
        var centres = [Double]()
        let first = generator.index(below: n)
        centres += row(first)
        var closest = squaredDistances(to: first)
        var potential = closest.reduce(0, +)
        for _ in 1..<k {
            var cumulative = [Double](repeating: 0, count: n), running = 0.0
            for i in 0..<n { running += closest[i]; cumulative[i] = running }
            var bestCandidate = 0, bestPotential = Double.infinity, bestDistances = closest
            for _ in 0..<trials {
                let target = Double(generator.next() >> 11) / Double(1 << 53) * potential
                var lo = 0, hi = n - 1
                while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < target { lo = mid + 1 } else { hi = mid } }
                let distances = squaredDistances(to: lo, within: closest)
                let candidatePotential = distances.reduce(0, +)
                if candidatePotential < bestPotential { bestPotential = candidatePotential; bestCandidate = lo; bestDistances = distances }
            }
            centres += row(bestCandidate)
            closest = bestDistances
            potential = bestPotential
        }
        return centres
    }
}

/// Mini-batch k-means as scikit-learn's `MiniBatchKMeans(batch_size=500, n_init="auto")`: a k-means++ start on a
/// random subset of 3 × the batch size, then batches drawn with replacement, each centre moving to the running mean
/// of the points it has been given; centres that received under 1% of the largest count are moved to random batch
/// points every 10·k samples; stopped after `maxEpochs` passes or 10 batches without improvement of the smoothed
/// batch inertia; final labels from the final centres.
public struct MiniBatchKMeans: Sendable {
    public var clusters: Int
    public var batchSize = 500
    public var maxEpochs = 100
    public var seed: UInt64

    public init(clusters: Int, batchSize: Int = 500, seed: UInt64 = 0) {
        self.clusters = clusters
        self.batchSize = batchSize
        self.seed = seed
    }

    public func fit(_ x: FeatureMatrix) -> KMeans.Result {
        let n = x.rows, d = x.features, k = clusters
        var generator = SeededGenerator(seed: seed)
        let initSize = min(n, max(3 * batchSize, 3 * k))
        let subset = Array(generator.permutation(n).prefix(initSize))
        var centres = KMeans.plusPlus(x.selecting(subset), clusters: k, generator: &generator)
        var counts = [Double](repeating: 0, count: k)
        let batch = min(batchSize, n)
        let steps = max(1, maxEpochs * n / max(batch, 1))
        var smoothed: Double? = nil, best = Double.infinity, stale = 0, sinceReassign = 0
        for step in 0..<steps {
            let indices = (0..<batch).map { _ in generator.index(below: n) }
            let part = x.selecting(indices)
            let (labels, scores) = KMeans.assign(part, centres: centres, clusters: k)
            let norms = indices.map { i in (0..<d).reduce(0.0) { $0 + x.values[i * d + $1] * x.values[i * d + $1] } }
            let inertia = zip(scores, norms).reduce(0.0) { $0 + max($1.0 + $1.1, 0) } / Double(batch)
            let old = centres
            for c in 0..<k {
                let members = labels.indices.filter { labels[$0] == c }
                guard !members.isEmpty else { continue }
                let total = counts[c] + Double(members.count)
                for j in 0..<d {
                    var sum = old[c * d + j] * counts[c]
                    for m in members { sum += part.values[m * d + j] }
                    centres[c * d + j] = sum / total
                }
                counts[c] = total
            }
            sinceReassign += batch
            if sinceReassign >= 10 * k, let largest = counts.max(), largest > 0 {
                let small = (0..<k).filter { counts[$0] < 0.01 * largest }
                for (c, pick) in zip(small, generator.permutation(batch).prefix(small.count)) {
                    for j in 0..<d { centres[c * d + j] = part.values[pick * d + j] }
                }
                if !small.isEmpty {
                    let floor = (0..<k).filter { !small.contains($0) }.map { counts[$0] }.min() ?? 0
                    for c in small { counts[c] = floor }
                }
                sinceReassign = 0
            }
            // Early stop on the exponentially weighted batch inertia (the first batch only initialises it).
            guard step > 0 else { continue }
            let alpha = min(1, Double(batch) * 2 / Double(n + 1))
            smoothed = smoothed.map { $0 * (1 - alpha) + inertia * alpha } ?? inertia
            if let s = smoothed, s < best { best = s; stale = 0 } else { stale += 1 }
            if stale >= 10 { break }
        }
        let labels = KMeans.assign(x, centres: centres, clusters: k).labels
        return KMeans.Result(labels: labels, centres: centres, inertia: KMeans.inertia(x, labels: labels, centres: centres), iterations: 0)
    }
}
