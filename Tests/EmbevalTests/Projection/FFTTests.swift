import Foundation
import Testing
@testable import Embeval

@Test(arguments: [1, 2, 8, 64, 3, 6, 12, 96])
func fftMatchesDirectDFT(size: Int) {
    var g = SeededGenerator(seed: UInt64(size))
    let re0 = (0..<size).map { _ in Double(g.next() >> 11) / Double(1 << 53) - 0.5 }
    let im0 = (0..<size).map { _ in Double(g.next() >> 11) / Double(1 << 53) - 0.5 }
    var re = re0, im = im0
    let fft = FFT(size: size)
    var scratch = [Double](repeating: 0, count: 4 * size)
    re.withUnsafeMutableBufferPointer { r in im.withUnsafeMutableBufferPointer { i in scratch.withUnsafeMutableBufferPointer { s in
        fft.transform(re: r.baseAddress!, im: i.baseAddress!, stride: 1, inverse: false, scratch: s.baseAddress!)
    }}}
    for k in 0..<size {
        var sr = 0.0, si = 0.0
        for j in 0..<size {
            let a = -2 * Double.pi * Double(j * k) / Double(size)
            sr += re0[j] * cos(a) - im0[j] * sin(a); si += re0[j] * sin(a) + im0[j] * cos(a)
        }
        #expect(abs(re[k] - sr) < 1e-9 && abs(im[k] - si) < 1e-9)
    }
    re.withUnsafeMutableBufferPointer { r in im.withUnsafeMutableBufferPointer { i in scratch.withUnsafeMutableBufferPointer { s in
        fft.transform(re: r.baseAddress!, im: i.baseAddress!, stride: 1, inverse: true, scratch: s.baseAddress!)
    }}}
    for k in 0..<size { #expect(abs(re[k] / Double(size) - re0[k]) < 1e-12 && abs(im[k] / Double(size) - im0[k]) < 1e-12) }
}

@Test func fftRepulsionMatchesExactSums() {
    var g = SeededGenerator(seed: 5)
    let n = 400
    let y = (0..<(2 * n)).map { _ in (Double(g.next() >> 11) / Double(1 << 53) - 0.5) * 30 }
    var force = [Double](repeating: 0, count: 2 * n)
    let z = y.withUnsafeBufferPointer { yb in force.withUnsafeMutableBufferPointer { f in
        FFTRepulsion().repulsion(y: yb.baseAddress!, count: n, force: f.baseAddress!)
    }}
    var exactZ = 0.0, worst = 0.0, scale = 0.0
    for i in 0..<n {
        var fx = 0.0, fy = 0.0
        for j in 0..<n where j != i {
            let dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1]
            let q = 1 / (1 + dx * dx + dy * dy)
            exactZ += q; fx += q * q * dx; fy += q * q * dy
        }
        worst = max(worst, abs(force[2 * i] - fx), abs(force[2 * i + 1] - fy))
        scale = max(scale, abs(fx), abs(fy))
    }
    #expect(abs(z - exactZ) / exactZ < 1e-3)
    #expect(worst / scale < 1e-2)
    // Barnes–Hut on the same points agrees within its own (theta 0.5) accuracy.
    let tree = y.withUnsafeBufferPointer { QuadTree(points: $0, count: n, dims: 2) }
    var bhZ = 0.0
    var f = [0.0, 0.0]
    for i in 0..<n { bhZ += y.withUnsafeBufferPointer { yb in f.withUnsafeMutableBufferPointer {
        tree.repulsion(at: yb.baseAddress! + 2 * i, theta: 0.5, force: $0.baseAddress!) } } - 1 }
    #expect(abs(bhZ - exactZ) / exactZ < 2e-2)
}

@Test(arguments: [4, 6, 8, 12])
func fft2DMatchesDirectDFT(size n: Int) {
    var g = SeededGenerator(seed: UInt64(n))
    let re0 = (0..<(n * n)).map { _ in Double(g.next() >> 11) / Double(1 << 53) - 0.5 }
    let im0 = (0..<(n * n)).map { _ in Double(g.next() >> 11) / Double(1 << 53) - 0.5 }
    var re = re0, im = im0
    let fft = FFT2D(size: n)
    re.withUnsafeMutableBufferPointer { r in im.withUnsafeMutableBufferPointer { i in
        fft.transform(re: r.baseAddress!, im: i.baseAddress!, inverse: false, activeRows: n)
    }}
    for u in 0..<n { for v in 0..<n {
        var sr = 0.0, si = 0.0
        for a in 0..<n { for b in 0..<n {
            let t = -2 * Double.pi * Double(u * a + v * b) / Double(n)
            sr += re0[a * n + b] * cos(t) - im0[a * n + b] * sin(t); si += re0[a * n + b] * sin(t) + im0[a * n + b] * cos(t)
        } }
        #expect(abs(re[u * n + v] - sr) < 1e-9 && abs(im[u * n + v] - si) < 1e-9)
    } }
    re.withUnsafeMutableBufferPointer { r in im.withUnsafeMutableBufferPointer { i in
        fft.transform(re: r.baseAddress!, im: i.baseAddress!, inverse: true, activeRows: n)
    }}
    for t in 0..<(n * n) { #expect(abs(re[t] / Double(n * n) - re0[t]) < 1e-12) }
}
