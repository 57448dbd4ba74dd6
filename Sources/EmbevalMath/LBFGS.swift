import Foundation

/// Limited-memory BFGS minimisation of a smooth function, with the stopping rules of scipy's L-BFGS-B (unbounded),
/// which scikit-learn's `LogisticRegression(solver="lbfgs")` calls:
///
/// - converged when the largest absolute gradient entry is at most `gradientTolerance` (`gtol`), or when an
///   iteration lowers f by at most `relativeReduction` · max(|f_k|, |f_k+1|, 1) (`ftol`);
/// - at most `maxIterations` iterations, each a two-loop recursion over the last `memory` steps and a line search
///   of at most `maxLineSearchSteps` evaluations satisfying the strong Wolfe conditions (sufficient decrease 1e-3,
///   curvature 0.9, scipy's constants). The first step is scaled to length 1; later ones start at 1. A zoom whose
///   bracket has narrowed to `relativeBracket` of its far end (scipy's `xtol`) ends at the best point so far.
public struct LBFGS: Sendable {
    public var memory = 10
    public var maxIterations = 1000
    public var maxLineSearchSteps = 50
    public var gradientTolerance = 1e-5
    public var relativeReduction = 64 * Double.ulpOfOne
    /// The line search stops zooming once its bracket [lo, hi] has hi − lo ≤ this · hi (scipy's `xtol`).
    public var relativeBracket = 0.1

    public init() {}

    /// Why the iteration stopped.
    public enum Stop: String, Sendable {
        case gradient = "gradient below tolerance"
        case reduction = "relative reduction below tolerance"
        case iterations = "iteration limit"
        case lineSearch = "line search found no better point"
    }

    public struct Result: Sendable {
        public var x: [Double]
        public var value: Double
        public var iterations: Int
        public var evaluations: Int
        public var stop: Stop
    }

    /// Minimises `f` from `start`. `f` returns the value and writes the gradient into its second argument.
    public func minimize(from start: [Double], _ f: ([Double], inout [Double]) -> Double) -> Result {
        let n = start.count
        var x = start
        var g = [Double](repeating: 0, count: n)
        var value = f(x, &g)
        var evaluations = 1
        var steps = [[Double]](), changes = [[Double]](), rhos = [Double]()
        var direction = [Double](repeating: 0, count: n)
        var iteration = 0
        while true {
            if g.lazy.map(abs).max() ?? 0 <= gradientTolerance {
                return Result(x: x, value: value, iterations: iteration, evaluations: evaluations, stop: .gradient)
            }
            if iteration >= maxIterations {
                return Result(x: x, value: value, iterations: iteration, evaluations: evaluations, stop: .iterations)
            }
            searchDirection(gradient: g, steps: steps, changes: changes, rhos: rhos, into: &direction)
            var slope = dot(direction, g)
            if !(slope < 0) {   // not a descent direction (rounding): restart from the gradient
                steps.removeAll(); changes.removeAll(); rhos.removeAll()
                for i in 0..<n { direction[i] = -g[i] }
                slope = dot(direction, g)
            }
            let initial = steps.isEmpty ? 1 / max(dot(direction, direction).squareRoot(), 1e-300) : 1
            guard let found = lineSearch(f, x: x, value: value, gradient: g, direction: direction, slope: slope,
                                         initialStep: initial, evaluations: &evaluations) else {
                return Result(x: x, value: value, iterations: iteration, evaluations: evaluations, stop: .lineSearch)
            }
            iteration += 1
            let s = zip(found.x, x).map { $0 - $1 }, y = zip(found.gradient, g).map { $0 - $1 }
            let sy = dot(s, y)
            let previous = value
            x = found.x; g = found.gradient; value = found.value
            if sy > Double.ulpOfOne * dot(y, y) {
                steps.append(s); changes.append(y); rhos.append(1 / sy)
                if steps.count > memory { steps.removeFirst(); changes.removeFirst(); rhos.removeFirst() }
            }
            if (previous - value) <= relativeReduction * max(abs(previous), abs(value), 1) {
                return Result(x: x, value: value, iterations: iteration, evaluations: evaluations, stop: .reduction)
            }
        }
    }

    /// −H·g by the two-loop recursion, H₀ = (sᵀy / yᵀy)·I from the latest pair.
    private func searchDirection(gradient g: [Double], steps: [[Double]], changes: [[Double]], rhos: [Double],
                                 into d: inout [Double]) {
        for i in d.indices { d[i] = -g[i] }
        var alphas = [Double](repeating: 0, count: steps.count)
        for j in steps.indices.reversed() {
            alphas[j] = rhos[j] * dot(steps[j], d)
            axpy(-alphas[j], changes[j], &d)
        }
        if let s = steps.last, let y = changes.last {
            let scale = dot(s, y) / dot(y, y)
            for i in d.indices { d[i] *= scale }
        }
        for j in steps.indices {
            let beta = rhos[j] * dot(changes[j], d)
            axpy(alphas[j] - beta, steps[j], &d)
        }
    }

    /// A step t along `direction` with f(x + t·d) ≤ f(x) + 1e-3·t·slope and |f′| ≤ 0.9·|slope| (strong Wolfe), by
    /// bracketing and then zooming with safeguarded cubic interpolation (Nocedal & Wright, algorithms 3.5 and 3.6).
    private func lineSearch(_ f: ([Double], inout [Double]) -> Double, x: [Double], value: Double, gradient: [Double],
                            direction: [Double], slope: Double, initialStep: Double, evaluations: inout Int)
        -> (x: [Double], value: Double, gradient: [Double])? {
        let c1 = 1e-3, c2 = 0.9
        typealias Point = (t: Double, value: Double, slope: Double, x: [Double], gradient: [Double])
        var budget = maxLineSearchSteps
        func evaluate(_ t: Double) -> Point {
            var trialGradient = [Double](repeating: 0, count: x.count)
            let point = zip(x, direction).map { $0 + t * $1 }
            let v = f(point, &trialGradient)
            evaluations += 1
            budget -= 1
            var s = 0.0
            for i in direction.indices { s += trialGradient[i] * direction[i] }
            return (t, v.isFinite ? v : .infinity, s, point, trialGradient)
        }
        func sufficient(_ p: Point) -> Bool { p.value <= value + c1 * p.t * slope }
        func curvature(_ p: Point) -> Bool { abs(p.slope) <= -c2 * slope }

        func zoom(_ lowStart: Point, _ highStart: Point) -> Point? {
            var low = lowStart, high = highStart
            while budget > 0 {
                let lo = min(low.t, high.t), hi = max(low.t, high.t)
                // Moré–Thuente's (scipy's) xtol: a bracket within 10 % of its far end ends the search at the best
                // point so far — where rounding noise in f outweighs the decrease left, zooming further only
                // spends evaluations.
                guard hi - lo > relativeBracket * hi, hi - lo > 1e-16 * max(hi, 1) else { break }
                let cubic = Self.cubicMinimum(low.t, low.value, low.slope, high.t, high.value, high.slope)
                let margin = 0.1 * (hi - lo)
                let t = cubic.isFinite ? min(max(cubic, lo + margin), hi - margin) : (lo + hi) / 2
                let trial = evaluate(t)
                if !sufficient(trial) || trial.value >= low.value {
                    high = trial
                } else {
                    if curvature(trial) { return trial }
                    if trial.slope * (high.t - low.t) >= 0 { high = low }
                    low = trial
                }
            }
            return low.t > 0 ? low : nil
        }

        var previous: Point = (0, value, slope, x, gradient)
        var t = initialStep
        while budget > 0 {
            let trial = evaluate(t)
            if !sufficient(trial) || (previous.t > 0 && trial.value >= previous.value) {
                return zoom(previous, trial).map { ($0.x, $0.value, $0.gradient) }
            }
            if curvature(trial) { return (trial.x, trial.value, trial.gradient) }
            if trial.slope >= 0 { return zoom(trial, previous).map { ($0.x, $0.value, $0.gradient) } }
            previous = trial
            t *= 2
        }
        return previous.t > 0 ? (previous.x, previous.value, previous.gradient) : nil
    }

    /// The minimiser of the cubic through (a, fa, ga) and (b, fb, gb).
    static func cubicMinimum(_ a: Double, _ fa: Double, _ ga: Double, _ b: Double, _ fb: Double, _ gb: Double) -> Double {
        let d1 = ga + gb - 3 * (fa - fb) / (a - b)
        let radicand = d1 * d1 - ga * gb
        guard radicand >= 0 else { return .nan }
        let d2 = (b > a ? 1.0 : -1.0) * radicand.squareRoot()
        return b - (b - a) * (gb + d2 - d1) / (gb - ga + 2 * d2)
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    private func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        for i in y.indices { y[i] += alpha * x[i] }
    }
}
