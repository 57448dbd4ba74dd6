import EmbevalMath
import Foundation
import Testing

/// L-BFGS on smooth functions and on one whose values and gradients carry float32 rounding, as the linear probe's
/// `--precision float32` objective does.
struct LBFGSTests {
    /// Rosenbrock's valley from (−1.2, 1): the minimum (1, 1), the gradient below tolerance.
    @Test func findsRosenbrocksMinimum() {
        var optimizer = LBFGS()
        optimizer.gradientTolerance = 1e-10
        let result = optimizer.minimize(from: [-1.2, 1]) { x, g in
            let a = 1 - x[0], b = x[1] - x[0] * x[0]
            g[0] = -2 * a - 400 * x[0] * b
            g[1] = 200 * b
            return a * a + 100 * b * b
        }
        #expect(abs(result.x[0] - 1) < 1e-8 && abs(result.x[1] - 1) < 1e-8, "\(result.x)")
        #expect(result.stop != .iterations && result.stop != .lineSearch, "\(result.stop)")
    }

    /// A quadratic in 20 dimensions whose gradient carries noise of 1e-3 (a hash of each coordinate's bits, so the
    /// same point gets the same gradient, as a float32 objective's rounding does): once the slope along a direction
    /// is down to the noise the curvature test fails at random. The fit still gets close to the minimum, and ending
    /// a search at its 10 % bracket spends fewer evaluations than zooming until the bracket is 1e-16 wide.
    @Test func gradientNoiseEndsTheLineSearchAtItsBracket() {
        let scales = (0..<20).map { pow(10, Double($0) / 10) }
        func f(_ x: [Double], _ g: inout [Double]) -> Double {
            var value = 0.0
            for i in x.indices {
                let xi = x[i] - 1
                value += 0.5 * scales[i] * xi * xi
                var h = x[i].bitPattern &* 0x9E37_79B9_7F4A_7C15
                h ^= h >> 29
                g[i] = scales[i] * xi + 1e-3 * (Double(h % 2001) / 1000 - 1)
            }
            return value
        }
        var optimizer = LBFGS()
        optimizer.gradientTolerance = 1e-12
        let bracketed = optimizer.minimize(from: [Double](repeating: 0, count: 20), f)
        optimizer.relativeBracket = 1e-16
        let zoomed = optimizer.minimize(from: [Double](repeating: 0, count: 20), f)
        #expect(bracketed.value < 1e-5)
        #expect(bracketed.evaluations < zoomed.evaluations, "\(bracketed.evaluations) vs \(zoomed.evaluations)")
    }
}
