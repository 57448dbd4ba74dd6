import Dispatch
import Foundation

/// The repulsive t-SNE forces in 2-D by FFT-accelerated polynomial interpolation (Linderman et al. 2019, "FIt-SNE").
///
/// The embedding's bounding square is cut into `boxes × boxes` equal boxes with `p` interpolation nodes per box and
/// axis (at (k + ½)/p of the box). Each point spreads the four charges 1, x, y, x² + y² onto the p×p nodes of its box
/// with Lagrange weights; the node potentials are the charges convolved with the squared Cauchy kernel
/// (1 + |Δ|²)⁻² over the node lattice — a Toeplitz product done as a circular convolution by 2-D FFT — and each
/// point reads its potentials φ back with the same weights. Then, with qᵢⱼ = 1 / (1 + |yᵢ − yⱼ|²),
///   Σⱼ qᵢⱼ²(yᵢ − yⱼ) = yᵢ φ₀ − (φ₁, φ₂),   Σⱼ qᵢⱼ = (1 + |yᵢ|²) φ₀ − 2 yᵢ·(φ₁, φ₂) + φ₃  (minus 1 for j = i).
///
/// Boxes: at least `minIntervals`, at least (range / intervalsPerUnit); the node lattice (p·boxes per axis) is
/// embedded in an FFT grid of the smallest length 2^a or 3·2^a ≥ 2·p·boxes − 1, and the box count is then raised to
/// the most that grid holds (more accuracy at the same FFT cost).
struct FFTRepulsion {
    var interpolationPoints = 3
    var minIntervals = 50
    var intervalsPerUnit = 1.0

    /// Partial sums of Z: fixed, so a seeded map is the same bit for bit on any number of cores.
    static let reductionChunks = 64

    /// Adds Σⱼ qᵢⱼ²(yᵢ − yⱼ) to `force` (n × 2) and returns Σ_{i≠j} qᵢⱼ, for the n points `y` (n × 2).
    func repulsion(y: UnsafePointer<Double>, count n: Int, force: UnsafeMutablePointer<Double>) -> Double {
        guard n > 0 else { return 0 }
        let p = interpolationPoints
        var lo = Double.infinity, hi = -Double.infinity
        for i in 0..<(2 * n) { lo = min(lo, y[i]); hi = max(hi, y[i]) }
        var range = hi - lo
        if !(range > 0) { range = 1e-12 }
        let minBoxes = max(minIntervals, Int(range / intervalsPerUnit))
        let convolution = FFTKernelConvolution(atLeast: 2 * p * minBoxes - 1)
        let gridSize = convolution.size
        let boxes = (gridSize + 1) / (2 * p)
        let m = p * boxes                                   // nodes per axis
        let width = range / Double(boxes)
        let spacing = width / Double(p)

        // Lagrange weights of every point on its box's nodes, per axis.
        var nodes = [Double](repeating: 0, count: p)
        for k in 0..<p { nodes[k] = (Double(k) + 0.5) / Double(p) }
        var denominators = [Double](repeating: 1, count: p)
        for k in 0..<p { for j in 0..<p where j != k { denominators[k] *= nodes[k] - nodes[j] } }
        var boxIndex = [Int32](repeating: 0, count: 2 * n)
        var weights = [Double](repeating: 0, count: 2 * n * p)
        boxIndex.withUnsafeMutableBufferPointer { bi in weights.withUnsafeMutableBufferPointer { wt in
            Parallel.forEachRange(n) { points in
                for i in points {
                    for axis in 0..<2 {
                        let v = y[2 * i + axis]
                        var b = Int((v - lo) / width)
                        if b >= boxes { b = boxes - 1 }
                        if b < 0 { b = 0 }
                        bi[2 * i + axis] = Int32(b)
                        let u = (v - (lo + Double(b) * width)) / width
                        for k in 0..<p {
                            var w = 1.0
                            for j in 0..<p where j != k { w *= u - nodes[j] }
                            wt[(2 * i + axis) * p + k] = w / denominators[k]
                        }
                    }
                }
            }
        }}

        // Charges on the node lattice, packed two per complex grid: (1 + i·x), (y + i·(x² + y²)). Only the m rows of
        // nodes are stored (the FFT grid's other rows are zero). Bands of box rows are spread in parallel, each
        // cell summing its points in index order whatever the thread count.
        let g = gridSize
        var aRe = [Double](repeating: 0, count: m * g), aIm = aRe, bRe = aRe, bIm = aRe
        let bands = min(boxes, 64)
        weights.withUnsafeBufferPointer { wt in boxIndex.withUnsafeBufferPointer { bi in
            aRe.withUnsafeMutableBufferPointer { ar in aIm.withUnsafeMutableBufferPointer { ai in
            bRe.withUnsafeMutableBufferPointer { br in bIm.withUnsafeMutableBufferPointer { bim in
                Parallel.forEach(bands) { band in
                    let first = band * boxes / bands, end = (band + 1) * boxes / bands
                    for i in 0..<n {
                        let boxRow = Int(bi[2 * i])
                        guard boxRow >= first && boxRow < end else { continue }
                        let x = y[2 * i], yy = y[2 * i + 1]
                        let q1 = x, q2 = yy, q3 = x * x + yy * yy
                        let bx = boxRow * p, by = Int(bi[2 * i + 1]) * p
                        for a in 0..<p {
                            let wx = wt[2 * i * p + a]
                            let row = (bx + a) * g + by
                            for b in 0..<p {
                                let w = wx * wt[(2 * i + 1) * p + b]
                                ar[row + b] += w; ai[row + b] += w * q1
                                br[row + b] += w * q2; bim[row + b] += w * q3
                            }
                        }
                    }
                }
            }}}}
        }}

        // The kernel on the circular grid: K(di, dj) at (di mod g, dj mod g), |di|, |dj| < m; convolved by FFT.
        let squaredSpacing = spacing * spacing
        func kernelRow(_ r: Int, _ out: UnsafeMutablePointer<Double>) {
            out.update(repeating: 0, count: g)
            let di = r < m ? r : r - g
            guard r < m || r > g - m else { return }
            for c in 0..<g where c < m || c > g - m {
                let dj = c < m ? c : c - g
                let t = 1 / (1 + squaredSpacing * Double(di * di + dj * dj))
                out[c] = t * t
            }
        }
        aRe.withUnsafeMutableBufferPointer { ar in aIm.withUnsafeMutableBufferPointer { ai in
        bRe.withUnsafeMutableBufferPointer { br in bIm.withUnsafeMutableBufferPointer { bim in
            convolution.convolve(grids: [(ar.baseAddress!, ai.baseAddress!), (br.baseAddress!, bim.baseAddress!)],
                                                   rows: m, kernelRow: kernelRow)
        }}}}

        // Potentials back at the points; forces and the normalisation.
        // A fixed number of partial sums, added in order: Z does not depend on the thread count.
        let partial = Parallel.mapRanges(n, chunks: min(n, FFTRepulsion.reductionChunks)) { rows -> Double in
            var sumQ = 0.0
            aRe.withUnsafeBufferPointer { ar in aIm.withUnsafeBufferPointer { ai in
            bRe.withUnsafeBufferPointer { br in bIm.withUnsafeBufferPointer { bim in
            weights.withUnsafeBufferPointer { wt in boxIndex.withUnsafeBufferPointer { bi in
                for i in rows {
                    let bx = Int(bi[2 * i]) * p, by = Int(bi[2 * i + 1]) * p
                    var f0 = 0.0, f1 = 0.0, f2 = 0.0, f3 = 0.0
                    for a in 0..<p {
                        let wx = wt[2 * i * p + a]
                        let row = (bx + a) * g + by
                        for b in 0..<p {
                            let w = wx * wt[(2 * i + 1) * p + b]
                            f0 += w * ar[row + b]; f1 += w * ai[row + b]
                            f2 += w * br[row + b]; f3 += w * bim[row + b]
                        }
                    }
                    let x = y[2 * i], yy = y[2 * i + 1]
                    sumQ += (1 + x * x + yy * yy) * f0 - 2 * (x * f1 + yy * f2) + f3
                    force[2 * i] += x * f0 - f1
                    force[2 * i + 1] += yy * f0 - f2
                }
            }}}}}}
            return sumQ
        }
        return partial.reduce(0, +) - Double(n)
    }
}
