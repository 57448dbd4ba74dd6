import CBLAS
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
        // The objective runs over fixed tasks of `taskRows` samples (the same split on every machine, so the sums are
        // added in the same order whatever the core count), spread over the cores with OpenBLAS single-threaded. Each
        // task walks its rows `blockRows` at a time: the block's logits (X_b·Wᵀ), softmax and residuals, then its
        // share of the gradient (R_bᵀ·X_b) while X_b is still in cache — X is read once per evaluation, instead of
        // twice through two full-size dgemm calls that each pack all of it. A block has at most 1,200 / classes rows:
        // OpenBLAS (0.3.21, AVX-512) takes its small-matrix kernel, which does not pack, only up to that size for
        // the logits' product; past it, packing the block cost as much as the product.
        let taskRows = 1024, blockRows = max(8, min(128, 1200 / rows))
        let tasks = (n + taskRows - 1) / taskRows
        var raw = [Double](repeating: 0, count: n * rows), weights = [Double](repeating: 0, count: rows * d)
        var residual = [Double](repeating: 0, count: n * rows)
        var partialGradient = [Double](repeating: 0, count: tasks * rows * d)
        var partialLoss = [Double](repeating: 0, count: tasks), partialBias = [Double](repeating: 0, count: tasks * rows)
        let labelsAt = labels

        func objective(_ w: [Double], _ gradient: inout [Double]) -> Double {
            for r in 0..<rows { for j in 0..<d { weights[r * d + j] = w[r * (d + 1) + j] } }
            let bias = (0..<rows).map { w[$0 * (d + 1) + d] }
            let threads = openblas_get_num_threads()
            openblas_set_num_threads(1)
            defer { openblas_set_num_threads(threads) }
            x.values.withUnsafeBufferPointer { xb in
              weights.withUnsafeBufferPointer { wb in
                raw.withUnsafeMutableBufferPointer { rawb in
                  residual.withUnsafeMutableBufferPointer { resb in
                    partialGradient.withUnsafeMutableBufferPointer { gb in
                      partialLoss.withUnsafeMutableBufferPointer { lb in
                        partialBias.withUnsafeMutableBufferPointer { bb in
                          // Empty only when there is nothing to fit (n = 0 or d = 0), which the callers refuse first.
                          guard let X = xb.baseAddress, let W = wb.baseAddress, let Z = rawb.baseAddress,
                                let R = resb.baseAddress, let G = gb.baseAddress, let L = lb.baseAddress,
                                let B = bb.baseAddress else { return }
                          Parallel.forEach(tasks) { t in
                            var loss = 0.0
                            let taskEnd = min(n, (t + 1) * taskRows)
                            for r in 0..<rows { B[t * rows + r] = 0 }
                            var lo = t * taskRows
                            while lo < taskEnd {
                                let hi = min(taskEnd, lo + blockRows), m = hi - lo
                                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(rows), Int32(d), 1,
                                            X + lo * d, Int32(d), W, Int32(d), 0, Z + lo * rows, Int32(rows))
                                if rows == 1 {
                                    let b = bias[0]
                                    for i in lo..<hi {
                                        let z = Z[i] + b, y = labelsAt[i] == 1 ? 1.0 : 0.0
                                        // log(1 + e^z) − y·z, stably; its derivative is sigmoid(z) − y.
                                        loss += (z > 0 ? z + Foundation.log1p(Foundation.exp(-z)) : Foundation.log1p(Foundation.exp(z))) - y * z
                                        let p = z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
                                        R[i] = (p - y) / Double(n)
                                        B[t] += R[i]
                                    }
                                } else {
                                    for i in lo..<hi {
                                        let z = Z + i * rows, res = R + i * rows
                                        var maximum = -Double.infinity
                                        for c in 0..<rows { z[c] += bias[c]; maximum = max(maximum, z[c]) }
                                        // e^(z − max) once per logit: summed for the log-partition, then divided
                                        // by the sum for the probabilities.
                                        var sum = 0.0
                                        for c in 0..<rows { res[c] = Foundation.exp(z[c] - maximum); sum += res[c] }
                                        let logSum = maximum + Foundation.log(sum)
                                        loss += logSum - z[labelsAt[i]]
                                        for c in 0..<rows {
                                            res[c] = (res[c] / sum - (c == labelsAt[i] ? 1 : 0)) / Double(n)
                                            B[t * rows + c] += res[c]
                                        }
                                    }
                                }
                                // ∂/∂W (this block's share) = residualᵀ·X, added to the task's partial.
                                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(d), Int32(m), 1,
                                            R + lo * rows, Int32(rows), X + lo * d, Int32(d), lo == t * taskRows ? 0 : 1,
                                            G + t * rows * d, Int32(d))
                                lo = hi
                            }
                            L[t] = loss
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
            // ∂/∂W = Σ_tasks residualᵀ·X + W/(C·n); ∂/∂b = Σ residual — the tasks added in order.
            var loss = 0.0, norm = 0.0
            for t in 0..<tasks { loss += partialLoss[t] }
            for r in 0..<rows {
                var b = 0.0
                for t in 0..<tasks { b += partialBias[t * rows + r] }
                for j in 0..<d {
                    let v = weights[r * d + j]
                    norm += v * v
                    var g = 0.0
                    for t in 0..<tasks { g += partialGradient[(t * rows + r) * d + j] }
                    gradient[r * (d + 1) + j] = g + penalty * v
                }
                gradient[r * (d + 1) + d] = b
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
