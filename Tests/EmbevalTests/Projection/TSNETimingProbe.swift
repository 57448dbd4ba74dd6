import Foundation
import Testing
@testable import Embeval

@Test func probeFFTTiming() {
    var g = SeededGenerator(seed: 5)
    for (n, span) in [(1500, 60.0), (10000, 100.0)] {
        let y = (0..<(2 * n)).map { _ in (Double(g.next() >> 11) / Double(1 << 53) - 0.5) * span }
        var force = [Double](repeating: 0, count: 2 * n)
        let t0 = Date()
        for _ in 0..<10 {
            _ = y.withUnsafeBufferPointer { yb in force.withUnsafeMutableBufferPointer { f in
                FFTRepulsion().repulsion(y: yb.baseAddress!, count: n, force: f.baseAddress!)
            }}
        }
        let t1 = Date()
        let fft = FFT2D(size: 384)
        var re = [Double](repeating: 1, count: 384 * 384), im = re
        re.withUnsafeMutableBufferPointer { r in im.withUnsafeMutableBufferPointer { i in
            for _ in 0..<10 { fft.transform(re: r.baseAddress!, im: i.baseAddress!, inverse: false, activeRows: 384) }
        }}
        print("probe n=\(n): repulsion \(t1.timeIntervalSince(t0) / 10 * 1000) ms, fft384 \(Date().timeIntervalSince(t1) / 10 * 1000) ms")
    }
}
