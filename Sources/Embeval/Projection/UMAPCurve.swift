import Foundation

/// The low-dimensional similarity curve 1 / (1 + a·x^(2b)) fitted, like umap-learn's `find_ab_params`, by least squares
/// to the target exp(−(x − min_dist)/spread) (1 below min_dist) on 300 points of [0, 3·spread]. The fit is our own
/// Levenberg–Marquardt from (a, b) = (1, 1), the start SciPy's `curve_fit` uses; the minimum is what matters.
public enum UMAPCurve {
    public static func fit(minDist: Double, spread: Double) -> (a: Double, b: Double) {
        let count = 300
        let xs = (0..<count).map { 3 * spread * Double($0) / Double(count - 1) }
        let ys = xs.map { $0 < minDist ? 1 : exp(-($0 - minDist) / spread) }
        func cost(_ a: Double, _ b: Double) -> Double {
            var s = 0.0
            for (x, y) in zip(xs, ys) { let r = 1 / (1 + a * pow(x, 2 * b)) - y; s += r * r }
            return s
        }
        var a = 1.0, b = 1.0, lambda = 1e-3
        var current = cost(a, b)
        for _ in 0..<500 {
            // Normal equations JᵀJ δ = −Jᵀr of the residuals r = f − y.
            var jaa = 0.0, jab = 0.0, jbb = 0.0, ga = 0.0, gb = 0.0
            for (x, y) in zip(xs, ys) {
                let u = x > 0 ? pow(x, 2 * b) : 0
                let f = 1 / (1 + a * u)
                let r = f - y
                let da = -u * f * f
                let db = x > 0 ? -a * f * f * u * 2 * log(x) : 0
                jaa += da * da; jab += da * db; jbb += db * db
                ga += da * r; gb += db * r
            }
            var improved = false
            for _ in 0..<30 {
                let m00 = jaa * (1 + lambda), m11 = jbb * (1 + lambda), m01 = jab
                let det = m00 * m11 - m01 * m01
                guard det != 0, det.isFinite else { lambda *= 10; continue }
                let stepA = -(m11 * ga - m01 * gb) / det
                let stepB = -(m00 * gb - m01 * ga) / det
                let na = a + stepA, nb = b + stepB
                let c = nb > 0 ? cost(na, nb) : .infinity
                if c.isFinite && c <= current {
                    let small = abs(stepA) <= 1e-13 * (abs(a) + 1e-13) && abs(stepB) <= 1e-13 * (abs(b) + 1e-13)
                    let flat = current - c <= 1e-16 * current
                    a = na; b = nb; current = c
                    lambda = max(lambda / 10, 1e-12)
                    improved = true
                    if small || (flat && lambda <= 1e-10) { return (a, b) }
                    break
                }
                lambda *= 10
            }
            if !improved { break }
        }
        return (a, b)
    }
}
