import Dispatch
import Foundation

/// A complex discrete Fourier transform of length 2^a or 3·2^a (split real/imaginary Double arrays).
///
/// Radix-2: iterative Cooley–Tukey, decimation in time (bit-reversed input order, precomputed twiddles).
/// 3·2^a: one decimation-in-time step by 3 (three interleaved radix-2 transforms of length 2^a, twiddled,
/// then a 3-point DFT). Forward uses e^(−2πi·jk/n); `inverse` uses e^(+2πi·jk/n) and does not divide by n.
struct FFT: Sendable {
    let size: Int
    let radix3: Bool
    let base: Int                 // the radix-2 length
    let cosTable: [Double]        // cos(2π k / base), k < base/2
    let sinTable: [Double]
    let bitReverse: [Int32]
    let cosOuter: [Double]        // cos(2π k / size), k < size  (radix-3 twiddles)
    let sinOuter: [Double]

    /// The smallest length ≥ `n` that the transform supports (2^a or 3·2^a).
    static func goodSize(atLeast n: Int) -> Int {
        var p = 1
        while p < n { p <<= 1 }
        var best = p
        var q = 3
        while q < n { q <<= 1 }
        if q < best { best = q }
        return max(best, 1)
    }

    init(size: Int) {
        precondition(size >= 1)
        self.size = size
        var b = size
        radix3 = size % 3 == 0
        if radix3 { b /= 3 }
        precondition(b & (b - 1) == 0, "FFT: size \(size) is not 2^a or 3·2^a")
        base = b
        cosTable = (0..<max(b / 2, 1)).map { cos(2 * Double.pi * Double($0) / Double(b)) }
        sinTable = (0..<max(b / 2, 1)).map { sin(2 * Double.pi * Double($0) / Double(b)) }
        var bits = 0
        while (1 << bits) < b { bits += 1 }
        bitReverse = (0..<b).map { i in
            var r = 0, x = i
            for _ in 0..<bits { r = (r << 1) | (x & 1); x >>= 1 }
            return Int32(r)
        }
        if radix3 {
            cosOuter = (0..<size).map { cos(2 * Double.pi * Double($0) / Double(size)) }
            sinOuter = (0..<size).map { sin(2 * Double.pi * Double($0) / Double(size)) }
        } else {
            cosOuter = []; sinOuter = []
        }
    }

    /// Transforms `size` values at `re[k·stride]`, `im[k·stride]` in place; `scratch` must hold 4·size Doubles.
    func transform(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, stride: Int,
                   inverse: Bool, scratch: UnsafeMutablePointer<Double>) {
        let sign: Double = inverse ? 1 : -1
        if !radix3 {
            let xr = scratch, xi = scratch + size
            bitReverse.withUnsafeBufferPointer { br in
                for k in 0..<size { let s = Int(br[k]) * stride; xr[k] = re[s]; xi[k] = im[s] }
            }
            radix2(xr, xi, sign: sign)
            for k in 0..<size { re[k * stride] = xr[k]; im[k * stride] = xi[k] }
            return
        }
        // Three interleaved sub-sequences x[3m + r], each transformed at length `base`.
        let m = base
        let sub = scratch                       // 3 × (re, im) blocks of length m: 6m = 2·size Doubles
        bitReverse.withUnsafeBufferPointer { br in
            for r in 0..<3 {
                let sr = sub + 2 * r * m, si = sr + m
                for k in 0..<m { let s = (3 * Int(br[k]) + r) * stride; sr[k] = re[s]; si[k] = im[s] }
                radix2(sr, si, sign: sign)
            }
        }
        let c3 = -0.5, s3 = sign * (3.0).squareRoot() / 2     // e^(sign·2πi/3)
        cosOuter.withUnsafeBufferPointer { co in sinOuter.withUnsafeBufferPointer { so in
            for k in 0..<m {
                let a0r = sub[k], a0i = sub[m + k]
                let k2 = (2 * k) % size
                let f1r = sub[2 * m + k], f1i = sub[3 * m + k]
                let f2r = sub[4 * m + k], f2i = sub[5 * m + k]
                let w1r = co[k], w1i = sign * so[k], w2r = co[k2], w2i = sign * so[k2]
                let a1r = f1r * w1r - f1i * w1i, a1i = f1r * w1i + f1i * w1r
                let a2r = f2r * w2r - f2i * w2i, a2i = f2r * w2i + f2i * w2r
                // y0 = a0 + a1 + a2; y1 = a0 + ω a1 + ω² a2; y2 = a0 + ω² a1 + ω a2 (ω = e^(sign 2πi/3)).
                let sr = a1r + a2r, si = a1i + a2i
                let dr = a1r - a2r, di = a1i - a2i
                re[k * stride] = a0r + sr; im[k * stride] = a0i + si
                let br = a0r + c3 * sr, bi = a0i + c3 * si
                re[(k + m) * stride] = br - s3 * di; im[(k + m) * stride] = bi + s3 * dr
                re[(k + 2 * m) * stride] = br + s3 * di; im[(k + 2 * m) * stride] = bi - s3 * dr
            }
        }}
    }

    /// In-place radix-2 butterflies on bit-reversed input of length `base`.
    private func radix2(_ xr: UnsafeMutablePointer<Double>, _ xi: UnsafeMutablePointer<Double>, sign: Double) {
        let n = base
        guard n > 1 else { return }
        cosTable.withUnsafeBufferPointer { ct in sinTable.withUnsafeBufferPointer { st in
            var len = 2
            while len <= n {
                let half = len / 2, step = n / len
                var start = 0
                while start < n {
                    for j in 0..<half {
                        let wr = ct[j * step], wi = sign * st[j * step]
                        let a = start + j, b = a + half
                        let tr = xr[b] * wr - xi[b] * wi, ti = xr[b] * wi + xi[b] * wr
                        xr[b] = xr[a] - tr; xi[b] = xi[a] - ti
                        xr[a] += tr; xi[a] += ti
                    }
                    start += len
                }
                len <<= 1
            }
        }}
    }
}

/// Two-dimensional transforms of an `size × size` complex grid (row-major), spread over cores.
///
/// The row pass runs the 1-D transform on each row; the column pass runs the same butterflies with whole row
/// segments as elements (contiguous, vectorisable loops), each core taking a band of columns.
struct FFT2D: Sendable {
    let fft: FFT
    var size: Int { fft.size }

    init(size: Int) { fft = FFT(size: size) }

    /// Transforms the grid in place. Only rows `0..<activeRows` are non-zero on input (forward) or needed on output
    /// (inverse); the others are skipped in the row pass.
    func transform(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, inverse: Bool, activeRows: Int) {
        let n = size
        let fft = self.fft
        let cores = ProcessInfo.activeCores
        func rows() {
            Parallel.forEachRange(activeRows, chunks: 4 * cores) { rows in
                let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 4 * n)
                defer { scratch.deallocate() }
                for r in rows {
                    fft.transform(re: re + r * n, im: im + r * n, stride: 1, inverse: inverse, scratch: scratch)
                }
            }
        }
        func columns() {
            Parallel.forEachRange(n, chunks: cores) { band in
                fft.transformColumns(re: re + band.lowerBound, im: im + band.lowerBound, rowStride: n, width: band.count, inverse: inverse)
            }
        }
        if inverse { columns(); rows() } else { rows(); columns() }
    }
}

extension FFT {
    /// Transforms `width` columns at once along the row index: element k of column c is at `re[k·rowStride + c]`.
    func transformColumns(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, rowStride: Int,
                          width: Int, inverse: Bool) {
        guard width > 0 else { return }
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: radix3 ? 2 * size * width : 0)
        defer { scratch.deallocate() }
        transformColumns(re: re, im: im, rowStride: rowStride, width: width, inverse: inverse, scratch: scratch)
    }

    /// The same with caller-owned scratch of 2·size·width Doubles (used by lengths 3·2^a only).
    func transformColumns(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, rowStride: Int,
                          width: Int, inverse: Bool, scratch: UnsafeMutablePointer<Double>) {
        guard width > 0 else { return }
        let sign: Double = inverse ? 1 : -1
        if !radix3 {
            radix2Rows(re, im, rowStride: rowStride, width: width, sign: sign)
            return
        }
        // Gather the three interleaved row sub-sequences into contiguous blocks, transform each, then combine.
        let m = base
        let sr = scratch, si = scratch + size * width
        for r in 0..<3 { for k in 0..<m {
            let src = (3 * k + r) * rowStride, dst = (r * m + k) * width
            for c in 0..<width { sr[dst + c] = re[src + c]; si[dst + c] = im[src + c] }
        } }
        for r in 0..<3 { radix2Rows(sr + r * m * width, si + r * m * width, rowStride: width, width: width, sign: sign) }
        let c3 = -0.5, s3 = sign * (3.0).squareRoot() / 2
        for k in 0..<m {
            let w1r = cosOuter[k], w1i = sign * sinOuter[k], w2r = cosOuter[2 * k], w2i = sign * sinOuter[2 * k]
            let p0 = k * width, p1 = (m + k) * width, p2 = (2 * m + k) * width
            let o0 = k * rowStride, o1 = (k + m) * rowStride, o2 = (k + 2 * m) * rowStride
            for c in 0..<width {
                let a0r = sr[p0 + c], a0i = si[p0 + c]
                let f1r = sr[p1 + c], f1i = si[p1 + c], f2r = sr[p2 + c], f2i = si[p2 + c]
                let a1r = f1r * w1r - f1i * w1i, a1i = f1r * w1i + f1i * w1r
                let a2r = f2r * w2r - f2i * w2i, a2i = f2r * w2i + f2i * w2r
                let tr = a1r + a2r, ti = a1i + a2i, dr = a1r - a2r, di = a1i - a2i
                re[o0 + c] = a0r + tr; im[o0 + c] = a0i + ti
                let br = a0r + c3 * tr, bi = a0i + c3 * ti
                re[o1 + c] = br - s3 * di; im[o1 + c] = bi + s3 * dr
                re[o2 + c] = br + s3 * di; im[o2 + c] = bi - s3 * dr
            }
        }
    }

    /// Radix-2 transform of length `base` along rows (in natural order; bit reversal done here by row swaps).
    private func radix2Rows(_ xr: UnsafeMutablePointer<Double>, _ xi: UnsafeMutablePointer<Double>, rowStride: Int,
                            width: Int, sign: Double) {
        let n = base
        guard n > 1 else { return }
        for i in 0..<n {
            let j = Int(bitReverse[i])
            if i < j {
                let a = i * rowStride, b = j * rowStride
                for c in 0..<width {
                    let tr = xr[a + c]; xr[a + c] = xr[b + c]; xr[b + c] = tr
                    let ti = xi[a + c]; xi[a + c] = xi[b + c]; xi[b + c] = ti
                }
            }
        }
        var len = 2
        while len <= n {
            let half = len / 2, step = n / len
            var start = 0
            while start < n {
                for j in 0..<half {
                    let wr = cosTable[j * step], wi = sign * sinTable[j * step]
                    let a = (start + j) * rowStride, b = (start + j + half) * rowStride
                    for c in 0..<width {
                        let tr = xr[b + c] * wr - xi[b + c] * wi, ti = xr[b + c] * wi + xi[b + c] * wr
                        xr[b + c] = xr[a + c] - tr; xi[b + c] = xi[a + c] - ti
                        xr[a + c] += tr; xi[a + c] += ti
                    }
                }
                start += len
            }
            len <<= 1
        }
    }
}
