import EmbevalMath
import Foundation

/// The element types the logistic objective's products run in, each with its BLAS product (`BLAS.multiply`).
protocol ObjectiveScalar: BinaryFloatingPoint {
    static func multiply(_ a: UnsafeBufferPointer<Self>, transposeA: Bool, _ b: UnsafeBufferPointer<Self>, transposeB: Bool,
                         m: Int, n: Int, k: Int, into c: UnsafeMutableBufferPointer<Self>, accumulating: Bool)
}

extension Double: ObjectiveScalar {
    static func multiply(_ a: UnsafeBufferPointer<Double>, transposeA: Bool, _ b: UnsafeBufferPointer<Double>, transposeB: Bool,
                         m: Int, n: Int, k: Int, into c: UnsafeMutableBufferPointer<Double>, accumulating: Bool) {
        BLAS.multiply(a, transposeA: transposeA, b, transposeB: transposeB, m: m, n: n, k: k, into: c, accumulating: accumulating)
    }
}

extension Float: ObjectiveScalar {
    static func multiply(_ a: UnsafeBufferPointer<Float>, transposeA: Bool, _ b: UnsafeBufferPointer<Float>, transposeB: Bool,
                         m: Int, n: Int, k: Int, into c: UnsafeMutableBufferPointer<Float>, accumulating: Bool) {
        BLAS.multiply(a, transposeA: transposeA, b, transposeB: transposeB, m: m, n: n, k: k, into: c, accumulating: accumulating)
    }
}

/// The regularised mean log loss and its gradient for L-BFGS, with the rows and products in `T`. Parameters are laid
/// out as scikit-learn's: per weight row its `features` weights, then its intercept.
///
/// The samples run in fixed tasks of `taskRows` (the same split on every machine, so the sums are added in the same
/// order whatever the core count), spread over the cores with OpenBLAS single-threaded. Each task walks its rows
/// `blockRows` at a time: the block's logits (X_b·Wᵀ), softmax and residuals, then its share of the gradient
/// (R_bᵀ·X_b) while X_b is still in cache — X is read once per evaluation. A block has at most 1,200 / classes
/// rows: OpenBLAS (0.3.21, AVX-512) takes its small-matrix kernel, which does not pack, only up to that size for the
/// logits' product; past it, packing the block cost as much as the product.
struct Objective<T: ObjectiveScalar> {
    let rows: [T]
    let samples: Int, features: Int
    /// Weight rows: the classes (multinomial) or 1 (binomial).
    let classes: Int
    let labels: [Int]
    /// 1 / (C·n): the penalty's weight.
    let penalty: Double
    let taskRows = 1024, blockRows: Int, tasks: Int
    private var weights: [T], raw: [T], residual: [T], partialGradient: [T]
    private var partialLoss: [Double], partialBias: [Double]

    init(rows: [T], samples: Int, features: Int, classes: Int, labels: [Int], penalty: Double) {
        self.rows = rows
        self.samples = samples
        self.features = features
        self.classes = classes
        self.labels = labels
        self.penalty = penalty
        blockRows = max(8, min(128, 1200 / classes))
        tasks = (samples + taskRows - 1) / taskRows
        weights = [T](repeating: 0, count: classes * features)
        raw = [T](repeating: 0, count: samples * classes)
        residual = [T](repeating: 0, count: samples * classes)
        partialGradient = [T](repeating: 0, count: tasks * classes * features)
        partialLoss = [Double](repeating: 0, count: tasks)
        partialBias = [Double](repeating: 0, count: tasks * classes)
    }

    /// The objective at `w`; its gradient written into `gradient`.
    mutating func evaluate(_ w: [Double], gradient: inout [Double]) -> Double {
        let n = samples, d = features, k = classes, taskRows = taskRows, blockRows = blockRows
        for r in 0..<k { for j in 0..<d { weights[r * d + j] = T(w[r * (d + 1) + j]) } }
        let bias = (0..<k).map { w[$0 * (d + 1) + d] }
        let labels = labels, count = Double(n)
        BLAS.singleThreaded {
        rows.withUnsafeBufferPointer { xb in
          weights.withUnsafeBufferPointer { wb in
            raw.withUnsafeMutableBufferPointer { rawb in
              residual.withUnsafeMutableBufferPointer { resb in
                partialGradient.withUnsafeMutableBufferPointer { gb in
                  partialLoss.withUnsafeMutableBufferPointer { lb in
                    partialBias.withUnsafeMutableBufferPointer { bb in
                      // Empty only when there is nothing to fit (n = 0 or d = 0), which the callers refuse first.
                      guard let X = xb.baseAddress, let Z = rawb.baseAddress,
                            let R = resb.baseAddress, let G = gb.baseAddress, let L = lb.baseAddress,
                            let B = bb.baseAddress else { return }
                      Parallel.forEach(tasks) { t in
                        var loss = 0.0
                        let taskEnd = min(n, (t + 1) * taskRows)
                        for r in 0..<k { B[t * k + r] = 0 }
                        var lo = t * taskRows
                        while lo < taskEnd {
                            let hi = min(taskEnd, lo + blockRows), m = hi - lo
                            Self.touch(X + lo * d, count: m * d, sink: Z + lo * k)
                            let block = UnsafeBufferPointer(start: X + lo * d, count: m * d)
                            let logits = UnsafeMutableBufferPointer(start: Z + lo * k, count: m * k)
                            T.multiply(block, transposeA: false, wb, transposeB: true, m: m, n: k, k: d, into: logits,
                                       accumulating: false)
                            if k == 1 {
                                loss += Self.binomial(Z, R, B + t, rows: lo..<hi, labels: labels, bias: bias[0], count: count)
                            } else {
                                loss += Self.multinomial(Z, R, B + t * k, rows: lo..<hi, classes: k, labels: labels, bias: bias,
                                                         count: count)
                            }
                            // ∂/∂W (this block's share) = residualᵀ·X, added to the task's partial.
                            T.multiply(UnsafeBufferPointer(start: R + lo * k, count: m * k), transposeA: true, block,
                                       transposeB: false, m: k, n: d, k: m,
                                       into: UnsafeMutableBufferPointer(start: G + t * k * d, count: k * d),
                                       accumulating: lo > t * taskRows)
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
        }
        // ∂/∂W = Σ_tasks residualᵀ·X + W/(C·n); ∂/∂b = Σ residual — the tasks added in order.
        var loss = 0.0, norm = 0.0
        for t in 0..<tasks { loss += partialLoss[t] }
        for r in 0..<k {
            var b = 0.0
            for t in 0..<tasks { b += partialBias[t * k + r] }
            for j in 0..<d {
                let v = w[r * (d + 1) + j]
                norm += v * v
                var g = 0.0
                for t in 0..<tasks { g += Double(partialGradient[(t * k + r) * d + j]) }
                gradient[r * (d + 1) + j] = g + penalty * v
            }
            gradient[r * (d + 1) + d] = b
        }
        // The data term in T, as scikit-learn returns it (its float32 per-sample losses summed in float32): in float32
        // the objective then levels off once the decrease left is below float32's resolution, and L-BFGS stops on
        // its relative-reduction test there as scipy's does, instead of searching lines through rounding noise.
        return Double(T(loss / count)) + 0.5 * penalty * norm
    }

    /// Reads one value per cache line of `count` values from `start`, so the block arrives in cache at the rate of
    /// independent loads: OpenBLAS's small-matrix kernel, reading the block's rows side by side, pulled it from
    /// memory at a quarter of that rate. The sum goes to `sink`, which the next product overwrites, so the loads
    /// are kept.
    @inline(__always)
    private static func touch(_ start: UnsafePointer<T>, count: Int, sink: UnsafeMutablePointer<T>) {
        var sum: T = 0
        for i in stride(from: 0, to: count, by: max(1, 64 / MemoryLayout<T>.stride)) { sum += start[i] }
        sink.pointee = sum
    }

    /// One weight vector, class 1 positive: Σ log(1 + e^z) − y·z over `rows`; residuals (sigmoid(z) − y) / n,
    /// their sum added to `biasGradient`.
    private static func binomial(_ Z: UnsafeMutablePointer<T>, _ R: UnsafeMutablePointer<T>, _ biasGradient: UnsafeMutablePointer<Double>,
                                 rows: Range<Int>, labels: [Int], bias: Double, count: Double) -> Double {
        var loss = 0.0
        for i in rows {
            let z = Double(Z[i]) + bias, y = labels[i] == 1 ? 1.0 : 0.0
            // log(1 + e^z) − y·z, stably; its derivative is sigmoid(z) − y.
            loss += (z > 0 ? z + Foundation.log1p(Foundation.exp(-z)) : Foundation.log1p(Foundation.exp(z))) - y * z
            let p = z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
            let residual = (p - y) / count
            R[i] = T(residual)
            biasGradient[0] += residual
        }
        return loss
    }

    /// Softmax over `classes` logits per row: Σ log Σ e^z − z_label over `rows`; residuals (p − onehot) / n, their
    /// sums added to `biasGradient`.
    private static func multinomial(_ Z: UnsafeMutablePointer<T>, _ R: UnsafeMutablePointer<T>,
                                    _ biasGradient: UnsafeMutablePointer<Double>, rows: Range<Int>, classes k: Int,
                                    labels: [Int], bias: [Double], count: Double) -> Double {
        var loss = 0.0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * k) { scratch in
            guard let logits = scratch.baseAddress else { return }
            let exps = logits + k
            for i in rows {
                let z = Z + i * k, res = R + i * k
                var maximum = -Double.infinity
                for c in 0..<k { logits[c] = Double(z[c]) + bias[c]; maximum = max(maximum, logits[c]) }
                // e^(z − max) once per logit: summed for the log-partition, then divided by the sum for the
                // probabilities.
                var sum = 0.0
                for c in 0..<k { exps[c] = Foundation.exp(logits[c] - maximum); sum += exps[c] }
                loss += maximum + Foundation.log(sum) - logits[labels[i]]
                for c in 0..<k {
                    let residual = (exps[c] / sum - (c == labels[i] ? 1 : 0)) / count
                    res[c] = T(residual)
                    biasGradient[c] += residual
                }
            }
        }
        return loss
    }
}
