import Foundation

/// A small network that reproduces a fitted map, so that new embeddings are placed without refitting: the
/// L2-normalised embedding → Linear(d, hidden) → ReLU → Linear(hidden, dims), the seed's "t-SNE NN" shape.
/// Trained in Swift with BLAS by regression on the map's coordinates (mean squared error, Adam), seeded and
/// bit-reproducible; exported as ONNX (`onnxModel()`) for any runtime.
public struct ParametricMap: Sendable, Equatable {
    /// How the network is trained.
    public struct Training: Sendable, Equatable {
        public var hidden: Int
        public var epochs: Int
        public var batchSize: Int
        public var learningRate: Double
        public var seed: UInt64

        public init(hidden: Int = 256, epochs: Int = 100, batchSize: Int = 256, learningRate: Double = 1e-3, seed: UInt64 = 0) throws {
            guard (1...16_384).contains(hidden) else { throw ProjectionError.invalidParameter("--parametric-hidden must be 1…16384, got \(hidden)") }
            guard (1...100_000).contains(epochs) else { throw ProjectionError.invalidParameter("--parametric-epochs must be 1…100000, got \(epochs)") }
            guard (1...65_536).contains(batchSize) else { throw ProjectionError.invalidParameter("batch size must be 1…65536, got \(batchSize)") }
            guard learningRate.isFinite, learningRate > 0, learningRate < 1 else {
                throw ProjectionError.invalidParameter("learning rate must be a number in (0, 1), got \(learningRate)")
            }
            self.hidden = hidden
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.seed = seed
        }
    }

    public let inputWidth: Int
    public let hidden: Int
    public let dimensions: Int
    /// Whether inputs are L2-normalised first (as the map's own input was).
    public let normalizesInput: Bool
    /// `hidden × inputWidth` and `dimensions × hidden`, row-major (torch's `Linear.weight` layout), and the biases.
    public let weights1: [Float], bias1: [Float], weights2: [Float], bias2: [Float]
    /// Mean squared error on the standardised coordinates after each epoch.
    public let losses: [Double]

    /// Trains on `embeddings` (rows) and the map's `coordinates` of the same rows.
    /// `memoryBytes`: a network whose training state (`trainingBytes`) takes more than half of it is refused.
    public static func fit(_ embeddings: Matrix, coordinates: Matrix, normalizing: Bool, training: Training,
                           memoryBytes: Int = ProcessMemory.limit) throws -> ParametricMap {
        let n = embeddings.rows, d = embeddings.columns, dims = coordinates.columns, h = training.hidden
        let perUnit = trainingBytes(hidden: 1, width: d, batch: min(training.batchSize, n))
        if perUnit * Double(h) > Double(memoryBytes / 2) {
            let most = Int(Double(memoryBytes / 2) / perUnit)
            throw ProjectionError.invalidParameter("--parametric-hidden \(h): the network's weights, gradients and Adam moments (\(h) × \(d) each) and a batch's activations would take about \(ProcessMemory.readable(Int(min(perUnit * Double(h), 9e18)))), more than half of the \(ProcessMemory.readable(memoryBytes)) this process may use; "
                + (most >= 1 ? "use --parametric-hidden \(most) or less" : "even 1 does not fit: the rows are too wide for a parametric map"))
        }
        guard n >= 2, d >= 1 else { throw ProjectionError.tooFewPoints(method: "a parametric map", needed: 2, got: n, remedy: "give more points") }
        guard coordinates.rows == n, dims >= 1 else {
            throw ProjectionError.invalidParameter("map must be \(n) rows, one per embedding, got \(coordinates.rows) rows")
        }
        if let bad = embeddings.values.firstIndex(where: { !$0.isFinite }) { throw ProjectionError.nonFinite(input: "parametric map input", row: bad / d) }
        if let bad = coordinates.values.firstIndex(where: { !$0.isFinite }) { throw ProjectionError.nonFinite(input: "map coordinates", row: bad / dims) }
        let x = normalizing ? embeddings.l2NormalizedRows() : embeddings

        // Targets standardised: centred, divided by one scale for all axes (the map's aspect kept); the scale and
        // centre are folded back into the last layer at the end, so the network outputs map coordinates.
        var centre = [Double](repeating: 0, count: dims)
        for i in 0..<n { for c in 0..<dims { centre[c] += Double(coordinates[i, c]) } }
        centre = centre.map { $0 / Double(n) }
        var spread = 0.0
        for i in 0..<n { for c in 0..<dims { let t = Double(coordinates[i, c]) - centre[c]; spread += t * t } }
        let scale = max((spread / Double(n * dims)).squareRoot(), 1e-12)
        var targets = [Float](repeating: 0, count: n * dims)
        for i in 0..<n { for c in 0..<dims { targets[i * dims + c] = Float((Double(coordinates[i, c]) - centre[c]) / scale) } }

        // He-uniform first layer (ReLU), Glorot-uniform second, zero biases; drawn from the seed.
        var generator = SeededGenerator(seed: training.seed)
        func uniform(_ count: Int, _ limit: Double) -> [Float] {
            (0..<count).map { _ in Float((Double(generator.next() >> 11) / 9_007_199_254_740_992 * 2 - 1) * limit) }
        }
        var w1 = uniform(h * d, (6.0 / Double(d)).squareRoot()), b1 = [Float](repeating: 0, count: h)
        var w2 = uniform(dims * h, (6.0 / Double(h + dims)).squareRoot()), b2 = [Float](repeating: 0, count: dims)
        var adam = [AdamState(w1.count), AdamState(h), AdamState(w2.count), AdamState(dims)]

        let batch = min(training.batchSize, n)
        var xb = [Float](repeating: 0, count: batch * d), tb = [Float](repeating: 0, count: batch * dims)
        var z1 = [Float](repeating: 0, count: batch * h), out = [Float](repeating: 0, count: batch * dims)
        var dOut = out, dHidden = z1
        var g1 = w1, gb1 = b1, g2 = w2, gb2 = b2
        var losses = [Double]()
        var step = 0
        for _ in 0..<training.epochs {
            let order = generator.permutation(n)
            var epochLoss = 0.0
            for start in stride(from: 0, to: n, by: batch) {
                let rows = order[start..<min(start + batch, n)]
                let m = rows.count
                for (r, i) in rows.enumerated() {
                    for c in 0..<d { xb[r * d + c] = x.values[i * d + c] }
                    for c in 0..<dims { tb[r * dims + c] = targets[i * dims + c] }
                }
                // Forward: z1 = xb·w1ᵀ + b1, relu, out = relu(z1)·w2ᵀ + b2.
                Self.multiply(xb, false, w1, true, m: m, n: h, k: d, into: &z1)
                for r in 0..<m { for j in 0..<h { z1[r * h + j] += b1[j] } }
                var hidden = z1
                for k in 0..<(m * h) where hidden[k] < 0 { hidden[k] = 0 }
                Self.multiply(hidden, false, w2, true, m: m, n: dims, k: h, into: &out)
                // Loss and its gradient: mean over the batch's elements.
                let norm = 2 / Float(m * dims)
                for r in 0..<m {
                    for c in 0..<dims {
                        let e = out[r * dims + c] + b2[c] - tb[r * dims + c]
                        epochLoss += Double(e * e)
                        dOut[r * dims + c] = norm * e
                    }
                }
                // Backward.
                Self.multiply(dOut, true, hidden, false, m: dims, n: h, k: m, into: &g2)
                for c in 0..<dims { gb2[c] = (0..<m).reduce(0) { $0 + dOut[$1 * dims + c] } }
                Self.multiply(dOut, false, w2, false, m: m, n: h, k: dims, into: &dHidden)
                for k in 0..<(m * h) where z1[k] <= 0 { dHidden[k] = 0 }
                Self.multiply(dHidden, true, xb, false, m: h, n: d, k: m, into: &g1)
                for j in 0..<h { gb1[j] = (0..<m).reduce(0) { $0 + dHidden[$1 * h + j] } }
                step += 1
                adam[0].update(&w1, g1, step: step, rate: training.learningRate)
                adam[1].update(&b1, gb1, step: step, rate: training.learningRate)
                adam[2].update(&w2, g2, step: step, rate: training.learningRate)
                adam[3].update(&b2, gb2, step: step, rate: training.learningRate)
            }
            losses.append(epochLoss / Double(n * dims))
        }
        // Fold the standardisation back: coordinates = scale · out + centre.
        let s = Float(scale)
        let w2Out = w2.map { $0 * s }
        let b2Out = (0..<dims).map { b2[$0] * s + Float(centre[$0]) }
        return ParametricMap(inputWidth: d, hidden: h, dimensions: dims, normalizesInput: normalizing,
                             weights1: w1, bias1: b1, weights2: w2Out, bias2: b2Out, losses: losses)
    }

    /// The map coordinates of `embeddings` (`rows × inputWidth`), computed here (the ONNX graph computes the same).
    public func place(_ embeddings: Matrix) throws -> Matrix {
        guard embeddings.columns == inputWidth else {
            throw ProjectionError.incompatibleInput("--add: \(embeddings.columns)-dimensional embeddings, but the map was trained on \(inputWidth)-dimensional ones")
        }
        if let bad = embeddings.values.firstIndex(where: { !$0.isFinite }) { throw ProjectionError.nonFinite(input: "--add points", row: bad / inputWidth) }
        let x = normalizesInput ? embeddings.l2NormalizedRows() : embeddings
        let m = x.rows
        var hidden = [Float](repeating: 0, count: m * self.hidden)
        Self.multiply(x.values, false, weights1, true, m: m, n: self.hidden, k: inputWidth, into: &hidden)
        for r in 0..<m { for j in 0..<self.hidden { hidden[r * self.hidden + j] = max(0, hidden[r * self.hidden + j] + bias1[j]) } }
        var out = [Float](repeating: 0, count: m * dimensions)
        Self.multiply(hidden, false, weights2, true, m: m, n: dimensions, k: self.hidden, into: &out)
        for r in 0..<m { for c in 0..<dimensions { out[r * dimensions + c] += bias2[c] } }
        return Matrix(rows: m, columns: dimensions, values: out)
    }

    /// `c = op(a)·op(b)` for row-major arrays (see `BLAS.multiply`).
    static func multiply(_ a: [Float], _ transposeA: Bool, _ b: [Float], _ transposeB: Bool, m: Int, n: Int, k: Int, into c: inout [Float]) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.multiply(a, transposeA: transposeA, b, transposeB: transposeB, m: m, n: n, k: k, into: c)
                }
            }
        }
    }
}

extension ParametricMap {
    /// The float32 training state of `hidden` units over `width`-wide rows: the first layer's weights, gradients and
    /// two Adam moments (hidden × width each, with the copy the export makes) and a batch's activations (four
    /// batch × hidden arrays). The second layer is `dims` wide and negligible.
    static func trainingBytes(hidden: Int, width: Int, batch: Int) -> Double {
        4 * Double(hidden) * (6 * Double(width) + 4 * Double(batch))
    }
}

/// Adam's moment estimates for one parameter array (β₁ 0.9, β₂ 0.999, ε 1e-8, as torch's defaults).
struct AdamState: Sendable {
    var first: [Float], second: [Float]

    init(_ count: Int) {
        first = [Float](repeating: 0, count: count)
        second = first
    }

    mutating func update(_ parameters: inout [Float], _ gradient: [Float], step: Int, rate: Double) {
        let b1: Float = 0.9, b2: Float = 0.999, eps: Float = 1e-8
        let c1 = 1 - Float(pow(0.9, Double(step))), c2 = 1 - Float(pow(0.999, Double(step)))
        let lr = Float(rate)
        for k in parameters.indices {
            let g = gradient[k]
            first[k] = b1 * first[k] + (1 - b1) * g
            second[k] = b2 * second[k] + (1 - b2) * g * g
            parameters[k] -= lr * (first[k] / c1) / ((second[k] / c2).squareRoot() + eps)
        }
    }
}
