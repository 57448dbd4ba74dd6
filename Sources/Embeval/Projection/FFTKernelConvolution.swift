import Foundation

/// Circular convolution of charge grids with a real kernel that is even in both axes (FIt-SNE's squared Cauchy
/// kernel), by 2-D FFT in three parallel regions per call, so a busy core holds up few barriers:
/// 1. row transforms: the kernel's, two rows per complex transform (an even real row has a real transform, so the
///    pair's real and imaginary outputs are the two rows' transforms), and the grids' occupied rows — eight rows at
///    a time, transposed, so the butterflies run across rows in vector registers;
/// 2. per band of columns, all the column work in one cache-sized scratch: the kernel's column transforms (two real
///    columns per complex transform again), the grids' forward transforms, the product, the inverse transforms;
/// 3. the grids' inverse row transforms.
/// Every output value is computed by the same operations whatever the thread count (no reductions).
struct FFTKernelConvolution {
    let fft: FFT
    /// Columns per band of region 2 (a cache line of Doubles).
    static let band = 8

    /// The smallest grid the transform supports that holds `n` nodes per axis, and at least 4: 2^a or 3·2^a with
    /// a ≥ 1, so even, as the pairing of real rows and columns needs.
    init(atLeast n: Int) {
        fft = FFT(size: FFT.goodSize(atLeast: max(n, 4)))
    }

    /// Grid points per axis.
    var size: Int { fft.size }

    /// Convolves each grid (complex, `rows × size` row-major: rows `rows…size − 1` are implicitly zero) with the
    /// kernel whose row r `kernelRow(r, out)` writes (`size` values), in place, scaled by 1/size²; only the first
    /// `rows` rows of the result are kept.
    func convolve(grids: [(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>)], rows m: Int,
                  kernelRow: (Int, UnsafeMutablePointer<Double>) -> Void) {
        let g = fft.size, half = g / 2, fft = self.fft
        // The kernel after its row pass: row r < half in `kA` row r, row r + half in `kB` row r.
        let kA = UnsafeMutablePointer<Double>.allocate(capacity: half * g)
        let kB = UnsafeMutablePointer<Double>.allocate(capacity: half * g)
        defer { kA.deallocate(); kB.deallocate() }

        // 1. Rows, `band` at a time (transposed into a scratch, so the butterflies run across the band's rows).
        let width = Self.band
        let kernelBatches = (half + width - 1) / width, gridBatches = (m + width - 1) / width
        Parallel.forEach(kernelBatches + grids.count * gridBatches) { batch in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 4 * g * width)
            defer { scratch.deallocate() }
            if batch < kernelBatches {
                let rows = (batch * width)..<min(half, (batch + 1) * width)
                for r in rows { kernelRow(r, kA + r * g); kernelRow(r + half, kB + r * g) }
                transformRows(re: kA, im: kB, rows: rows, inverse: false, scratch: scratch)
            } else {
                let t = batch - kernelBatches, grid = grids[t / gridBatches], b = t % gridBatches
                transformRows(re: grid.re, im: grid.im, rows: (b * width)..<min(m, (b + 1) * width), inverse: false, scratch: scratch)
            }
        }

        // 2. Columns, band by band: columns c0..<c0+w and their partners c0+half..<c0+half+w.
        let bands = (half + width - 1) / width
        let scale = 1 / Double(g * g)
        Parallel.forEach(bands) { bandIndex in
            let c0 = bandIndex * width, w = min(width, half - c0), cells = g * w
            let buffer = UnsafeMutablePointer<Double>.allocate(capacity: 6 * cells)
            defer { buffer.deallocate() }
            let kr = buffer, ki = buffer + cells, sr = buffer + 2 * cells, si = buffer + 3 * cells, work = buffer + 4 * cells
            for r in 0..<g {
                let row = r < half ? kA + r * g : kB + (r - half) * g
                for x in 0..<w { kr[r * w + x] = row[c0 + x]; ki[r * w + x] = row[c0 + half + x] }
            }
            fft.transformColumns(re: kr, im: ki, rowStride: w, width: w, inverse: false, scratch: work)
            for t in 0..<cells { kr[t] *= scale; ki[t] *= scale }     // the kernel's transform: columns c0… and c0+half…
            for grid in grids {
                for (offset, transformed) in [(0, kr), (half, ki)] {
                    let c = c0 + offset
                    for r in 0..<m { for x in 0..<w { sr[r * w + x] = grid.re[r * g + c + x]; si[r * w + x] = grid.im[r * g + c + x] } }
                    (sr + m * w).update(repeating: 0, count: cells - m * w)
                    (si + m * w).update(repeating: 0, count: cells - m * w)
                    fft.transformColumns(re: sr, im: si, rowStride: w, width: w, inverse: false, scratch: work)
                    for t in 0..<cells { let k = transformed[t]; sr[t] *= k; si[t] *= k }
                    fft.transformColumns(re: sr, im: si, rowStride: w, width: w, inverse: true, scratch: work)
                    for r in 0..<m { for x in 0..<w { grid.re[r * g + c + x] = sr[r * w + x]; grid.im[r * g + c + x] = si[r * w + x] } }
                }
            }
        }

        // 3. Inverse rows.
        Parallel.forEach(grids.count * gridBatches) { t in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 4 * g * width)
            defer { scratch.deallocate() }
            let grid = grids[t / gridBatches], b = t % gridBatches
            transformRows(re: grid.re, im: grid.im, rows: (b * width)..<min(m, (b + 1) * width), inverse: true, scratch: scratch)
        }
    }

    /// Transforms rows `rows` (at most `band`) of a `size`-wide grid in place: copied transposed into `scratch`
    /// (4·size·band Doubles), transformed there as columns, copied back.
    private func transformRows(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, rows: Range<Int>,
                               inverse: Bool, scratch: UnsafeMutablePointer<Double>) {
        let g = fft.size, w = rows.count, cells = g * w
        guard w > 0 else { return }
        let tr = scratch, ti = scratch + cells
        for (x, r) in rows.enumerated() {
            let rowRe = re + r * g, rowIm = im + r * g
            for k in 0..<g { tr[k * w + x] = rowRe[k]; ti[k * w + x] = rowIm[k] }
        }
        fft.transformColumns(re: tr, im: ti, rowStride: w, width: w, inverse: inverse, scratch: scratch + 2 * cells)
        for (x, r) in rows.enumerated() {
            let rowRe = re + r * g, rowIm = im + r * g
            for k in 0..<g { rowRe[k] = tr[k * w + x]; rowIm[k] = ti[k * w + x] }
        }
    }
}
