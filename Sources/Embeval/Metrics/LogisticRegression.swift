import Foundation

/// L2-regularised logistic regression fitted by L-BFGS, as scikit-learn's
/// `LogisticRegression(C=C, solver="lbfgs", tol=tol, max_iter=maxIterations)` fits it: the mean log loss over the
/// samples plus ‖W‖² / (2·C·n) (intercepts not penalised), multinomial (softmax) for three or more classes and
/// binomial — one weight vector, class 1 positive — for two, as scikit-learn does.
public struct LogisticRegression: Sendable {
    public var C: Double
    public var tolerance: Double
    public var maxIterations: Int

    public init(C: Double, tolerance: Double = 1e-12, maxIterations: Int = 1000) {
        self.C = C
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }

    /// A fitted model: one row of weights per class (one row for the binomial case) and their intercepts.
    public struct Model: Sendable {
        public var classes: Int
        public var features: Int
        /// Row-major `rows × features`, rows = classes (multinomial) or 1 (binomial).
        public var weights: [Double]
        public var intercepts: [Double]
        public var iterations: Int
        public var converged: Bool

        var rows: Int { classes == 2 ? 1 : classes }

        /// The scores each class gets (softmax logits; for two classes: −z/2 and z/2, the same order as z).
        public func decision(_ x: FeatureMatrix) -> [Double] {
            var out = [Double](repeating: 0, count: x.rows * rows)
            x.values.withUnsafeBufferPointer { a in
                weights.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { o in
                        BLAS.multiply(a, transposeA: false, w, transposeB: true, m: x.rows, n: rows, k: features, into: o)
                    }
                }
            }
            for i in 0..<x.rows { for c in 0..<rows { out[i * rows + c] += intercepts[c] } }
            guard classes == 2 else { return out }
            return (0..<x.rows).flatMap { [-out[$0] / 2, out[$0] / 2] }
        }
    }

    /// Fits on `x` (one row per sample) with `labels` in `0..<classes`, starting from `start` (a warm start along a
    /// path of C values) or from zero.
    public func fit(_ x: FeatureMatrix, labels: [Int], classes: Int, start: Model? = nil) -> Model {
        let n = x.rows, d = x.features, rows = classes == 2 ? 1 : classes
        let parameters = rows * (d + 1)
        var w0 = [Double](repeating: 0, count: parameters)
        if let start, start.features == d, start.classes == classes {
            for r in 0..<rows {
                for j in 0..<d { w0[r * (d + 1) + j] = start.weights[r * d + j] }
                w0[r * (d + 1) + d] = start.intercepts[r]
            }
        }
        let penalty = 1 / (C * Double(n))
        var raw = [Double](repeating: 0, count: n * rows), weights = [Double](repeating: 0, count: rows * d)
        var residual = [Double](repeating: 0, count: n * rows), gradW = [Double](repeating: 0, count: rows * d)

        func objective(_ w: [Double], _ gradient: inout [Double]) -> Double {
            for r in 0..<rows { for j in 0..<d { weights[r * d + j] = w[r * (d + 1) + j] } }
            x.values.withUnsafeBufferPointer { a in
                weights.withUnsafeBufferPointer { wb in
                    raw.withUnsafeMutableBufferPointer { o in
                        BLAS.multiply(a, transposeA: false, wb, transposeB: true, m: n, n: rows, k: d, into: o)
                    }
                }
            }
            var loss = 0.0
            if rows == 1 {
                let b = w[d]
                for i in 0..<n {
                    let z = raw[i] + b, y = labels[i] == 1 ? 1.0 : 0.0
                    // log(1 + e^z) − y·z, stably; its derivative is sigmoid(z) − y.
                    loss += (z > 0 ? z + Foundation.log1p(Foundation.exp(-z)) : Foundation.log1p(Foundation.exp(z))) - y * z
                    let p = z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
                    residual[i] = (p - y) / Double(n)
                }
            } else {
                for i in 0..<n {
                    var maximum = -Double.infinity
                    for c in 0..<rows { raw[i * rows + c] += w[c * (d + 1) + d]; maximum = max(maximum, raw[i * rows + c]) }
                    var sum = 0.0
                    for c in 0..<rows { sum += Foundation.exp(raw[i * rows + c] - maximum) }
                    let logSum = maximum + Foundation.log(sum)
                    loss += logSum - raw[i * rows + labels[i]]
                    for c in 0..<rows {
                        residual[i * rows + c] = (Foundation.exp(raw[i * rows + c] - logSum) - (c == labels[i] ? 1 : 0)) / Double(n)
                    }
                }
            }
            // ∂/∂W = residualᵀ·X + W/(C·n); ∂/∂b = Σ residual.
            residual.withUnsafeBufferPointer { r in
                x.values.withUnsafeBufferPointer { a in
                    gradW.withUnsafeMutableBufferPointer { g in
                        BLAS.multiply(r, transposeA: true, a, transposeB: false, m: rows, n: d, k: n, into: g)
                    }
                }
            }
            var norm = 0.0
            for r in 0..<rows {
                var bias = 0.0
                for i in 0..<n { bias += residual[i * rows + r] }
                for j in 0..<d {
                    let v = weights[r * d + j]
                    norm += v * v
                    gradient[r * (d + 1) + j] = gradW[r * d + j] + penalty * v
                }
                gradient[r * (d + 1) + d] = bias
            }
            return loss / Double(n) + 0.5 * penalty * norm
        }

        var optimizer = LBFGS()
        optimizer.maxIterations = maxIterations
        optimizer.gradientTolerance = tolerance
        let result = optimizer.minimize(from: w0, objective)
        var model = Model(classes: classes, features: d, weights: [Double](repeating: 0, count: rows * d),
                          intercepts: [Double](repeating: 0, count: rows), iterations: result.iterations,
                          converged: result.stop != .iterations)
        for r in 0..<rows {
            for j in 0..<d { model.weights[r * d + j] = result.x[r * (d + 1) + j] }
            model.intercepts[r] = result.x[r * (d + 1) + d]
        }
        return model
    }
}

/// Features in double precision, row-major, for the probe's optimisation (embeddings are float32 on disk; the
/// optimum is computed as scikit-learn computes it on float64 input).
public struct FeatureMatrix: Sendable {
    public var rows: Int
    public var features: Int
    public var values: [Double]

    public init(_ m: Matrix) {
        rows = m.rows
        features = m.columns
        values = m.values.map(Double.init)
    }

    /// The rows at `indices`, in that order.
    public func selecting(_ indices: [Int]) -> FeatureMatrix {
        var out = self
        out.rows = indices.count
        out.values = []
        out.values.reserveCapacity(indices.count * features)
        for i in indices { out.values.append(contentsOf: values[(i * features)..<((i + 1) * features)]) }
        return out
    }
}
