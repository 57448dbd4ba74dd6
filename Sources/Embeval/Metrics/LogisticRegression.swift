import Foundation

/// L2-regularised logistic regression fitted by L-BFGS, as scikit-learn's
/// `LogisticRegression(C=C, solver="lbfgs", tol=tol, max_iter=maxIterations)` fits it: the mean log loss over the
/// samples plus ‖W‖² / (2·C·n) (intercepts not penalised), multinomial (softmax) for three or more classes and
/// binomial — one weight vector, class 1 positive — for two, as scikit-learn does.
public struct LogisticRegression: Sendable {
    public var C: Double
    public var tolerance: Double
    public var maxIterations: Int
    public var precision: Precision

    /// The precision of the objective's products — what scikit-learn computes in for an input array of that dtype.
    public enum Precision: String, Sendable, CaseIterable {
        /// Rows, weights, logits and gradient in double: `fit(X.astype(np.float64), y)`.
        case float64
        /// The weights rounded to float32 for each evaluation, the logits' product X·Wᵀ and the gradient's product in
        /// float32, and the mean loss rounded to float32 — what scikit-learn (1.9) does given float32 rows, at twice
        /// the product rate. The bias, softmax and logs, the penalty, the sums and the optimiser stay in double.
        case float32
    }

    public init(C: Double, tolerance: Double = 1e-12, maxIterations: Int = 1000, precision: Precision = .float64) {
        self.C = C
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.precision = precision
    }

    /// A fitted model: one row of weights per class (one row for the binomial case) and their intercepts.
    public struct Model: Sendable {
        public var classes: Int
        public var features: Int
        /// Row-major `rows × features`, rows = classes (multinomial) or 1 (binomial).
        public var weights: [Double]
        public var intercepts: [Double]
        public var iterations: Int
        /// Whether the fit met its tolerance (on the gradient or the decrease), not the iteration limit or a line
        /// search that found no lower point (scikit-learn's ConvergenceWarning, status 1 or 2).
        public var converged: Bool
        /// Why the fit stopped.
        public var stop: LBFGS.Stop

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

    /// Training rows in the precision a fit computes in, converted once: a sweep of fits over the same rows (the
    /// probe's C grid) shares one float32 copy instead of making one per fit.
    public struct Rows: Sendable {
        public let samples: Int
        public let features: Int
        let storage: Storage

        enum Storage: Sendable {
            case double([Double])
            case single([Float])
        }

        public init(_ x: FeatureMatrix, precision: Precision) {
            samples = x.rows
            features = x.features
            switch precision {
            case .float64: storage = .double(x.values)
            case .float32: storage = .single(x.values.map(Float.init))
            }
        }

        /// The largest absolute value among the rows (for messages).
        var largestMagnitude: Double {
            switch storage {
            case .double(let values): return values.reduce(0) { max($0, abs($1)) }
            case .single(let values): return Double(values.reduce(0) { max($0, abs($1)) })
            }
        }
    }

    /// Fits on `x` (one row per sample) with `labels` in `0..<classes`, starting from `start` (a warm start along a
    /// path of C values) or from zero.
    public func fit(_ x: FeatureMatrix, labels: [Int], classes: Int, start: Model? = nil) -> Model {
        fit(Rows(x, precision: precision), labels: labels, classes: classes, start: start)
    }

    /// `fit(_:labels:classes:start:)` on rows already converted (in another precision than this fit's, they are
    /// converted again).
    public func fit(_ x: Rows, labels: [Int], classes: Int, start: Model? = nil) -> Model {
        let n = x.samples, d = x.features, rows = classes == 2 ? 1 : classes
        let parameters = rows * (d + 1)
        var w0 = [Double](repeating: 0, count: parameters)
        if let start, start.features == d, start.classes == classes {
            for r in 0..<rows {
                for j in 0..<d { w0[r * (d + 1) + j] = start.weights[r * d + j] }
                w0[r * (d + 1) + d] = start.intercepts[r]
            }
        }
        let penalty = 1 / (C * Double(n))
        let result: LBFGS.Result
        switch precision {
        case .float64:
            let values: [Double]
            switch x.storage {
            case .double(let doubles): values = doubles
            case .single(let singles): values = singles.map(Double.init)
            }
            var objective = Objective<Double>(rows: values, samples: n, features: d, classes: rows, labels: labels, penalty: penalty)
            result = minimize(from: w0) { objective.evaluate($0, gradient: &$1) }
        case .float32:
            let values: [Float]
            switch x.storage {
            case .double(let doubles): values = doubles.map(Float.init)
            case .single(let singles): values = singles
            }
            var objective = Objective<Float>(rows: values, samples: n, features: d, classes: rows, labels: labels, penalty: penalty)
            result = minimize(from: w0) { objective.evaluate($0, gradient: &$1) }
        }
        var model = Model(classes: classes, features: d, weights: [Double](repeating: 0, count: rows * d),
                          intercepts: [Double](repeating: 0, count: rows), iterations: result.iterations,
                          converged: result.stop == .gradient || result.stop == .reduction, stop: result.stop)
        for r in 0..<rows {
            for j in 0..<d { model.weights[r * d + j] = result.x[r * (d + 1) + j] }
            model.intercepts[r] = result.x[r * (d + 1) + d]
        }
        return model
    }

    private func minimize(from start: [Double], _ objective: ([Double], inout [Double]) -> Double) -> LBFGS.Result {
        var optimizer = LBFGS()
        optimizer.maxIterations = maxIterations
        optimizer.gradientTolerance = tolerance
        return optimizer.minimize(from: start, objective)
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
