import Dispatch
import Foundation

/// A fitted t-SNE map.
public struct TSNEResult: Sendable {
    /// `N × dimensions`, rows in input order.
    public let embedding: Matrix
    /// KL(P ‖ Q) of the final map: Σ pᵢⱼ log(pᵢⱼ / qᵢⱼ) over P's non-zeros, with the normalisation Σ qᵢⱼ exact for
    /// N ≤ 5,000 and the gradient method's estimate above (as openTSNE reports it).
    public let klDivergence: Double
    /// (iteration, KL) every 50 iterations over both phases (exaggerated phase: KL of the exaggerated P, corrected
    /// as openTSNE does: KL/e − log e).
    public let klHistory: [(iteration: Int, kl: Double)]
    /// The repulsion method that ran.
    public let method: TSNE.Method
    /// The perplexity used (lowered to (N − 1)/3 when N is small, as openTSNE does).
    public let perplexity: Double
}

/// t-distributed stochastic neighbour embedding with openTSNE's defaults (openTSNE 1.0):
///
/// - affinities: perplexity 30 on the exact ⌊3·perplexity⌋ nearest neighbours, symmetrised (see `TSNEAffinities`);
/// - initialisation: PCA of the input, scaled so the first coordinate has standard deviation 1e-4, plus Gaussian
///   jitter of 1% of that (seeded);
/// - optimisation: gradient descent with momentum and delta-bar-delta gains (+0.2 when the step's sign flips,
///   ×0.8 + 0.01 otherwise), steps clipped to norm 5 per point, the map re-centred after every step;
///   250 iterations with exaggeration 12, then 500 without; momentum 0.8 in both (openTSNE 1.0's
///   `initial_momentum`/`final_momentum`); learning rate 'auto' = N / exaggeration (so N/12, then N). The gradient
///   is openTSNE's: Σⱼ pᵢⱼ qᵢⱼ (yᵢ − yⱼ) − Σⱼ qᵢⱼ² (yᵢ − yⱼ) / Z (the true KL gradient over 4);
/// - repulsion: Barnes–Hut (theta 0.5; quad tree in 2-D, oct tree in 3-D) below 10,000 points, FFT-accelerated
///   interpolation (3 nodes per interval, at least 50 intervals, 1 interval per unit) from 10,000 points in 2-D;
/// - storage (not in openTSNE, a matter of speed only): every 50 iterations the points are re-sorted along a Z-order
///   curve of their positions (`SpatialOrder`), so the attraction finds neighbours' positions in cache; it changes
///   nothing but the order of floating-point sums.
public struct TSNE: Sendable {
    public enum Method: String, Sendable, CaseIterable { case auto, barnesHut, fft }

    public var dimensions = 2
    public var perplexity = 30.0
    public var seed: UInt64 = 0
    public var method = Method.auto
    public var earlyExaggerationIterations = 250
    public var earlyExaggeration = 12.0
    public var iterations = 500
    public var exaggeration = 1.0
    /// nil: 'auto' (N / exaggeration of the phase).
    public var learningRate: Double? = nil
    public var initialMomentum = 0.8
    public var finalMomentum = 0.8
    public var minGain = 0.01
    public var maxStepNorm: Double? = 5
    public var theta = 0.5
    public var interpolationPoints = 3
    public var minIntervals = 50
    public var intervalsPerUnit = 1.0
    /// Points from which `.auto` picks the FFT method (2-D only).
    public var fftThreshold = 10_000
    /// nil: PCA initialisation; otherwise these starting positions (N × dimensions), used as given.
    public var initialization: Matrix? = nil

    /// Iterations between re-sorts of the points along a curve of their positions (see `SpatialOrder`): often
    /// enough to follow the map as it forms, rarely enough to cost well under 1% of the optimisation.
    static let resortInterval = 50

    public init(dimensions: Int = 2, perplexity: Double = 30, seed: UInt64 = 0, method: Method = .auto) {
        self.dimensions = dimensions
        self.perplexity = perplexity
        self.seed = seed
        self.method = method
    }

    // MARK: Fit

    public func fit(_ x: Matrix) throws -> TSNEResult {
        let n = x.rows
        try validate(x, role: "t-SNE input")
        guard dimensions == 2 || dimensions == 3 else {
            throw ProjectionError.invalidParameter("t-SNE: --dims must be 2 or 3, got \(dimensions)")
        }
        guard n >= 4 else { throw ProjectionError.tooFewPoints(method: "t-SNE", needed: 4, got: n, remedy: nil) }
        guard perplexity.isFinite, perplexity > 0 else { throw ProjectionError.invalidParameter("t-SNE: perplexity must be positive, got \(perplexity)") }
        let chosen = try resolvedMethod(points: n)
        // openTSNE's check_perplexities: 3·perplexity may not exceed N − 1.
        let effective = 3 * perplexity > Double(n - 1) ? Double(n - 1) / 3 : perplexity
        let k = min(n - 1, Int(3 * effective))
        var y = try initialPositions(x)
        // The neighbours and conditional rows live only as long as it takes to make P (1.8 GB at a million points);
        // P itself only inside the gradient, which relabels its columns in place as the points move.
        var gradient = Gradient(p: { () -> SparseAffinities in
            let (indices, distances) = TSNEAffinities.neighbours(within: x, k: k)
            let conditional = TSNEAffinities.conditional(distances: distances, k: k, perplexity: effective)
            return TSNEAffinities.joint(indices: indices, conditional: conditional, k: k, count: n)
        }(), dims: dimensions, method: chosen, theta: theta,
             fft: FFTRepulsion(interpolationPoints: interpolationPoints, minIntervals: minIntervals,
                               intervalsPerUnit: intervalsPerUnit))
        var optimizer = Optimizer(count: n * dimensions)
        var history = [(iteration: Int, kl: Double)]()
        let phases: [(iterations: Int, exaggeration: Double, momentum: Double)] = [
            (earlyExaggerationIterations, earlyExaggeration, initialMomentum),
            (iterations, exaggeration, finalMomentum),
        ]
        var done = 0
        for phase in phases where phase.iterations > 0 {
            let rate = learningRate ?? Double(n) / phase.exaggeration
            for it in 0..<phase.iterations {
                if (done + it) % Self.resortInterval == 0 { gradient.resort(y: &y, optimizer: &optimizer) }
                let evaluate = (done + it + 1) % 50 == 0
                var (g, kl) = gradient.evaluate(y: y, exaggeration: phase.exaggeration, wantKL: evaluate)
                if evaluate {
                    if phase.exaggeration != 1 { kl = kl / phase.exaggeration - log(phase.exaggeration) }
                    history.append((done + it + 1, kl))
                }
                optimizer.step(&y, gradient: &g, dims: dimensions, momentum: phase.momentum, learningRate: rate,
                               minGain: minGain, maxStepNorm: maxStepNorm, maxGradNorm: nil, recentre: true)
            }
            done += phase.iterations
        }
        let kl = gradient.klDivergence(y: y, exact: n <= 5000)
        let embedding = gradient.order.inputOrder(y, dims: dimensions)
        return TSNEResult(embedding: Matrix(rows: n, columns: dimensions, values: embedding.map(Float.init)),
                          klDivergence: kl, klHistory: history, method: chosen, perplexity: effective)
    }

    func resolvedMethod(points n: Int) throws -> Method {
        switch method {
        case .auto: return (dimensions == 2 && n >= fftThreshold) ? .fft : .barnesHut
        case .fft:
            guard dimensions == 2 else { throw ProjectionError.invalidParameter("t-SNE: the FFT method is 2-D only; use Barnes–Hut for 3-D") }
            return .fft
        case .barnesHut: return .barnesHut
        }
    }

    func validate(_ x: Matrix, role: String) throws {
        let d = x.columns
        guard d > 0 else { throw ProjectionError.incompatibleInput("\(role) has no columns") }
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
            throw ProjectionError.nonFinite(input: role, row: bad / d)
        }
    }

    /// openTSNE's 'pca' initialisation: PCA coordinates / (std of the first one / 1e-4), plus N(0, (1e-6)²)·… jitter.
    func initialPositions(_ x: Matrix) throws -> [Double] {
        let n = x.rows
        if let given = initialization {
            guard given.rows == n && given.columns == dimensions else {
                throw ProjectionError.invalidParameter("t-SNE: initial positions are \(given.rows)×\(given.columns), expected \(n)×\(dimensions)")
            }
            return given.values.map(Double.init)
        }
        let dims = min(dimensions, x.columns)
        let pca = try PCA.fit(x, components: dims, seed: seed)
        let coords = pca.transform(x)
        var y = [Double](repeating: 0, count: n * dimensions)
        for i in 0..<n { for d in 0..<dims { y[i * dimensions + d] = Double(coords[i, d]) } }
        let std = standardDeviation(y, column: 0, dims: dimensions, count: n)
        let scale = std > 0 ? 1e-4 / std : 1
        for t in 0..<y.count { y[t] *= scale }
        let jitter = standardDeviation(y, column: 0, dims: dimensions, count: n) * 0.01
        var g = SeededGenerator(seed: seed ^ 0x5453_4E45)
        for t in 0..<y.count { y[t] += jitter * PCA.gaussian(&g) }
        return y
    }

    private func standardDeviation(_ y: [Double], column: Int, dims: Int, count n: Int) -> Double {
        var mean = 0.0
        for i in 0..<n { mean += y[i * dims + column] }
        mean /= Double(n)
        var s = 0.0
        for i in 0..<n { let t = y[i * dims + column] - mean; s += t * t }
        return (s / Double(n)).squareRoot()
    }

    // MARK: Transform

    /// Parameters of `transform`, openTSNE's `TSNEEmbedding.transform` defaults.
    public struct TransformOptions: Sendable {
        public var perplexity = 5.0
        /// Neighbours whose map positions' coordinate-wise median starts a new point ('median' initialisation).
        public var initialNeighbours = 25
        public var learningRate = 0.1
        public var earlyExaggerationIterations = 0
        public var earlyExaggeration = 4.0
        public var iterations = 250
        public var exaggeration = 1.5
        public var momentum = 0.8
        public var maxGradNorm: Double? = 0.25
        public init() {}
    }

    /// Places new points onto a fitted map without moving it (openTSNE's `transform`): P of each new point over its
    /// ⌊3·perplexity⌋ nearest reference points (perplexity 5, rows normalised), start at the median map position of
    /// its nearest reference points (at most that many), then 250 steps of gradient descent on the new points only
    /// (exaggeration 1.5, learning rate 0.1, momentum 0.8, gradients clipped to norm 0.25), attraction to their
    /// reference neighbours and Barnes–Hut repulsion from the reference map, normalised per new point.
    public func transform(_ newPoints: Matrix, referenceData: Matrix, referenceMap: Matrix,
                          options: TransformOptions = TransformOptions()) throws -> Matrix {
        try validate(newPoints, role: "new points")
        guard newPoints.columns == referenceData.columns else {
            throw ProjectionError.incompatibleInput("new points have \(newPoints.columns) columns, the map was made from \(referenceData.columns)")
        }
        guard referenceMap.rows == referenceData.rows, referenceMap.columns == 2 || referenceMap.columns == 3 else {
            throw ProjectionError.incompatibleInput("reference map is \(referenceMap.rows)×\(referenceMap.columns), expected \(referenceData.rows)×2 or ×3")
        }
        let m = newPoints.rows, r = referenceData.rows, dims = referenceMap.columns
        guard m > 0 else { return Matrix(rows: 0, columns: dims) }
        guard r >= 4 else { throw ProjectionError.incompatibleInput("the reference map has \(r) points; at least 4 are needed") }
        let effective = 3 * options.perplexity > Double(r - 1) ? Double(r - 1) / 3 : options.perplexity
        let k = min(r - 1, Int(3 * effective))
        let (indices, distances) = TSNEAffinities.neighbours(queries: newPoints, references: referenceData, k: k, excludingSelf: false)
        let conditional = TSNEAffinities.conditional(distances: distances, k: k, perplexity: effective)
        let p = TSNEAffinities.rows(indices: indices, conditional: conditional, k: k, count: m)

        let reference = referenceMap.values.map(Double.init)
        let initial = min(k, options.initialNeighbours)
        var y = [Double](repeating: 0, count: m * dims)
        for i in 0..<m { for d in 0..<dims {
            let values = (0..<initial).map { reference[Int(indices[i * k + $0]) * dims + d] }.sorted()
            let c = values.count
            y[i * dims + d] = c % 2 == 1 ? values[c / 2] : (values[c / 2 - 1] + values[c / 2]) / 2
        } }
        let tree = reference.withUnsafeBufferPointer { QuadTree(points: $0, count: r, dims: dims) }
        let gradient = PartialGradient(p: p, reference: reference, tree: tree, dims: dims, theta: theta)
        var optimizer = Optimizer(count: m * dims)
        let phases = [(options.earlyExaggerationIterations, options.earlyExaggeration),
                      (options.iterations, options.exaggeration)]
        for (count, exaggeration) in phases where count > 0 {
            for _ in 0..<count {
                var g = gradient.evaluate(y: y, exaggeration: exaggeration)
                optimizer.step(&y, gradient: &g, dims: dims, momentum: options.momentum, learningRate: options.learningRate,
                               minGain: minGain, maxStepNorm: nil, maxGradNorm: options.maxGradNorm, recentre: false)
            }
        }
        return Matrix(rows: m, columns: dims, values: y.map(Float.init))
    }
}

// MARK: - Optimiser

/// openTSNE's `gradient_descent` step: gains, momentum, optional gradient and step clipping.
struct Optimizer {
    var update: [Double]
    var gains: [Double]

    init(count: Int) {
        update = [Double](repeating: 0, count: count)
        gains = [Double](repeating: 1, count: count)
    }

    mutating func step(_ y: inout [Double], gradient g: inout [Double], dims: Int, momentum: Double, learningRate: Double,
                       minGain: Double, maxStepNorm: Double?, maxGradNorm: Double?, recentre: Bool) {
        let n = y.count / dims
        if let maxGrad = maxGradNorm {
            for i in 0..<n {
                var norm = 0.0
                for d in 0..<dims { norm += g[i * dims + d] * g[i * dims + d] }
                let coeff = maxGrad / (norm.squareRoot() + 1e-6)
                if coeff < 1 { for d in 0..<dims { g[i * dims + d] *= coeff } }
            }
        }
        @inline(__always) func sign(_ v: Double) -> Int { v > 0 ? 1 : (v < 0 ? -1 : 0) }
        for t in 0..<y.count {
            if sign(update[t]) != sign(g[t]) { gains[t] += 0.2 } else { gains[t] = gains[t] * 0.8 + minGain }
            update[t] = momentum * update[t] - learningRate * gains[t] * g[t]
        }
        if let maxStep = maxStepNorm {
            for i in 0..<n {
                var norm = 0.0
                for d in 0..<dims { norm += update[i * dims + d] * update[i * dims + d] }
                norm = norm.squareRoot()
                if norm > maxStep { for d in 0..<dims { update[i * dims + d] *= maxStep / norm } }
            }
        }
        for t in 0..<y.count { y[t] += update[t] }
        if recentre {
            for d in 0..<dims {
                var mean = 0.0
                for i in 0..<n { mean += y[i * dims + d] }
                mean /= Double(n)
                for i in 0..<n { y[i * dims + d] -= mean }
            }
        }
    }
}
