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
            var updated = Self.assignAndSum(x, centres: centres, clusters: k)
            labels = updated.labels
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
        let n = x.rows
        var labels = [Int](repeating: 0, count: n), scores = [Double](repeating: 0, count: n)
        // Rows are independent: split over the cores (the same labels as one pass).
        labels.withUnsafeMutableBufferPointer { l in scores.withUnsafeMutableBufferPointer { sc in
            BLAS.singleThreaded {
                Parallel.forEachRange(n) { rows in
                    Self.nearestCentres(x, rows: rows, centres: centres, clusters: k) { i, _, label, score in
                        l[i] = label
                        sc[i] = score
                    }
                }
            }
        }}
        return (labels, scores)
    }

    /// One Lloyd step's pass over the rows: each row's nearest centre (as `assign`) and, while the row is still in
    /// cache, its addition to that centre's sum — X is read once a step. The rows are cut into a fixed number of
    /// slices (it depends on the input's size, not on the cores), each summing into its own buffer in row order, and
    /// the slices are added in order: the same bits on any number of cores.
    static func assignAndSum(_ x: FeatureMatrix, centres: [Double], clusters k: Int) -> (labels: [Int], sums: [Double], counts: [Int]) {
        let n = x.rows, d = x.features, width = k * d
        // At most 16 slices of at least 1,024 rows, and their buffers together at most 32M doubles (256 MB).
        let slices = max(1, min(16, n / 1_024, (1 << 25) / max(1, width)))
        var labels = [Int](repeating: 0, count: n)
        var partial = [Double](repeating: 0, count: slices * width)
        var partialCounts = [Int](repeating: 0, count: slices * k)
        labels.withUnsafeMutableBufferPointer { l in partial.withUnsafeMutableBufferPointer { p in
            partialCounts.withUnsafeMutableBufferPointer { pc in
                BLAS.singleThreaded {
                    Parallel.forEach(slices) { slice in
                        let sums = p.baseAddress! + slice * width, counts = pc.baseAddress! + slice * k
                        let rows = (slice * n / slices)..<((slice + 1) * n / slices)
                        Self.nearestCentres(x, rows: rows, centres: centres, clusters: k) { i, row, label, _ in
                            l[i] = label
                            counts[label] += 1
                            let sum = sums + label * d
                            for j in 0..<d { sum[j] += row[j] }
                        }
                    }
                }
            }
        }}
        var sums = [Double](partial[0..<width]), counts = [Int](partialCounts[0..<k])
        for slice in 1..<max(1, slices) {
            for i in 0..<width { sums[i] += partial[slice * width + i] }
            for c in 0..<k { counts[c] += partialCounts[slice * k + c] }
        }
        return (labels, sums, counts)
    }

    /// Rows of `x` in `rows`, 64 at a time: their products with the centres by one `dgemm` (OpenBLAS's own kernel
    /// for the machine), then `body(index, row, nearest centre, ‖c‖² − 2x·c)` for each, in row order, while the
    /// chunk is in cache. Call inside `BLAS.singleThreaded` when run on several cores.
    static func nearestCentres(_ x: FeatureMatrix, rows: Range<Int>, centres: [Double], clusters k: Int,
                               _ body: (Int, UnsafePointer<Double>, Int, Double) -> Void) {
        let d = x.features, chunk = 64
        guard k > 0, !rows.isEmpty else { return }
        let norms = (0..<k).map { c in (0..<d).reduce(0.0) { $0 + centres[c * d + $1] * centres[c * d + $1] } }
        var products = [Double](repeating: 0, count: chunk * k)
        x.values.withUnsafeBufferPointer { v in centres.withUnsafeBufferPointer { c in products.withUnsafeMutableBufferPointer { pr in
            var first = rows.lowerBound
            while first < rows.upperBound {
                let count = min(chunk, rows.upperBound - first)
                let block = UnsafeBufferPointer(rebasing: v[(first * d)..<((first + count) * d)])
                BLAS.multiply(block, transposeA: false, c, transposeB: true, m: count, n: k, k: d, into: pr)
                for r in 0..<count {
                    var best = 0, bestScore = Double.infinity
                    for cluster in 0..<k {
                        let score = norms[cluster] - 2 * pr[r * k + cluster]
                        if score < bestScore { bestScore = score; best = cluster }
                    }
                    body(first + r, v.baseAddress! + (first + r) * d, best, bestScore)
                }
                first += count
            }
        }}}
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

    /// Sum of squared distances to the assigned centres, over 16 fixed slices of rows (split over the cores) added in
    /// order: the same bits on any number of cores.
    static func inertia(_ x: FeatureMatrix, labels: [Int], centres: [Double]) -> Double {
        let d = x.features
        let parts = x.values.withUnsafeBufferPointer { v in
            centres.withUnsafeBufferPointer { c in
                Parallel.mapRanges(x.rows, chunks: 16) { rows in
                    rows.reduce(0.0) { $0 + Self.squaredDistance(v.baseAddress! + $1 * d, c.baseAddress! + labels[$1] * d, count: d) }
                }
            }
        }
        return parts.reduce(0, +)
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
        /// Each row's squared distance to each of the rows `candidates`, or `closest`'s entry where that is smaller,
        /// candidate after candidate in one buffer: every row is read once for all candidates; rows split over the cores.
        func squaredDistances(to candidates: [Int], within closest: [Double]? = nil) -> [Double] {
            let count = candidates.count * n
            return x.values.withUnsafeBufferPointer { v in
                [Double](unsafeUninitializedCapacity: count) { out, written in
                    let o = out.baseAddress!
                    Parallel.forEachRange(n) { rows in
                        for p in rows {
                            let point = v.baseAddress! + p * d
                            for (t, candidate) in candidates.enumerated() {
                                let s = Self.squaredDistance(point, v.baseAddress! + candidate * d, count: d)
                                o[t * n + p] = closest.map { min($0[p], s) } ?? s
                            }
                        }
                    }
                    written = count
                }
            }
        }
        var centres = [Double]()
        let first = generator.index(below: n)
        centres += row(first)
        var closest = squaredDistances(to: [first])
        var potential = closest.reduce(0, +)
        for _ in 1..<k {
            var cumulative = [Double](repeating: 0, count: n), running = 0.0
            for i in 0..<n { running += closest[i]; cumulative[i] = running }
            // The draws depend only on the potential so far, so all candidates are drawn first, then measured at once.
            let candidates = (0..<trials).map { _ in
                let target = Double(generator.next() >> 11) / Double(1 << 53) * potential
                var lo = 0, hi = n - 1
                while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < target { lo = mid + 1 } else { hi = mid } }
                return lo
            }
            let distances = squaredDistances(to: candidates, within: closest)
            var best = 0, bestPotential = Double.infinity
            for t in 0..<trials {
                let candidatePotential = distances[(t * n)..<((t + 1) * n)].reduce(0, +)
                if candidatePotential < bestPotential { bestPotential = candidatePotential; best = t }
            }
            centres += row(candidates[best])
            closest = Array(distances[(best * n)..<((best + 1) * n)])
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
