import Foundation

/// umap-learn's `optimize_layout_euclidean`: stochastic gradient descent on the fuzzy cross-entropy, one pass over
/// the edges per epoch. An edge of the graph is sampled every `epochsPerSample` epochs (attraction
/// −2ab·d^(2(b−1)) / (1 + a·d^(2b)) along the edge), and each sample draws negative_sample_rate / epochs_per_sample
/// random vertices to push away (repulsion 2γb / ((0.001 + d²)(1 + a·d^(2b)))); every gradient component is clipped
/// to ±4 and the learning rate falls linearly from `initialAlpha` to 0.
///
/// Random vertices come from one SplitMix64 stream per head vertex, seeded from `seed`, so a single-threaded run is
/// reproducible exactly. `threads > 1` splits each epoch's edges into contiguous chunks run concurrently, with the
/// same benign races on shared coordinates as umap-learn's parallel mode (then runs are not bit-reproducible).
struct UMAPLayout {
    var a: Float
    var b: Float
    var gamma: Float = 1
    var initialAlpha: Float = 1
    var negativeSampleRate: Int = 5
    var threads: Int = 1

    /// Moves `head` (rows × dim). With `tail` nil the graph is on `head` itself and both ends of an edge move;
    /// otherwise edges point from `head` rows into the fixed `tail` rows (transform), and only `head` moves.
    func optimize(head: inout Matrix, tail: Matrix?, graph: UMAPGraph, epochs: Int, seed: UInt64) {
        let dim = head.columns
        let vertices = tail?.rows ?? head.rows
        let moveOther = tail == nil
        let eps = UMAPFuzzySet.epochsPerSample(graph.weights, epochs: epochs)
        let epsNeg = eps.map { $0 / Double(negativeSampleRate) }
        var nextSample = eps
        var nextNeg = epsNeg
        var rng: [UInt64] = (0..<head.rows).map { i in
            var g = SeededGenerator(seed: seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
            return g.next()
        }
        var tailValues = tail?.values ?? []
        let edgeCount = graph.edgeCount
        let a = self.a, b = self.b, gamma = self.gamma
        let chunks = max(1, min(threads, edgeCount / 1024 + 1))

        head.values.withUnsafeMutableBufferPointer { headBuf in
        tailValues.withUnsafeMutableBufferPointer { tailBuf in
        nextSample.withUnsafeMutableBufferPointer { nextSampleBuf in
        nextNeg.withUnsafeMutableBufferPointer { nextNegBuf in
        rng.withUnsafeMutableBufferPointer { rngBuf in
        graph.heads.withUnsafeBufferPointer { heads in
        graph.tails.withUnsafeBufferPointer { tails in
        eps.withUnsafeBufferPointer { epsBuf in
        epsNeg.withUnsafeBufferPointer { epsNegBuf in
            let h = headBuf.baseAddress!
            let t = moveOther ? h : tailBuf.baseAddress!
            let ns = nextSampleBuf.baseAddress!, nn = nextNegBuf.baseAddress!, states = rngBuf.baseAddress!
            for n in 0..<epochs {
                let alpha = initialAlpha * (1 - Float(n) / Float(epochs))
                let epoch = Double(n)
                Parallel.forEachRange(edgeCount, chunks: chunks) { edges in
                    for i in edges where ns[i] <= epoch && epsBuf[i] > 0 {
                        let j = Int(heads[i]), k = Int(tails[i])
                        let current = h + j * dim, other = t + k * dim
                        var d2: Float = 0
                        for d in 0..<dim { let x = current[d] - other[d]; d2 += x * x }
                        var coeff: Float = 0
                        if d2 > 0 {
                            let p = UMAPLayout.power(d2, b)            // d^(2b); d^(2(b−1)) = that / d²
                            coeff = -2 * a * b * (p / d2) / (a * p + 1)
                        }
                        for d in 0..<dim {
                            let g = clip(coeff * (current[d] - other[d]))
                            current[d] += g * alpha
                            if moveOther { other[d] -= g * alpha }
                        }
                        ns[i] += epsBuf[i]
                        let negatives = Int((epoch - nn[i]) / epsNegBuf[i])
                        if negatives > 0 {
                            var state = states[j]
                            for _ in 0..<negatives {
                                state &+= 0x9E37_79B9_7F4A_7C15
                                var z = state
                                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                                z ^= z >> 31
                                let r = Int(z % UInt64(vertices))
                                let o = t + r * dim
                                var s2: Float = 0
                                for d in 0..<dim { let x = current[d] - o[d]; s2 += x * x }
                                guard s2 > 0 else { continue }
                                let rc = 2 * gamma * b / ((0.001 + s2) * (a * UMAPLayout.power(s2, b) + 1))
                                for d in 0..<dim { current[d] += clip(rc * (current[d] - o[d])) * alpha }
                            }
                            states[j] = state
                        }
                        nn[i] += Double(negatives) * epsNegBuf[i]
                    }
                }
            }
        }}}}}}}}}
    }

    /// x^y for x > 0 as 2^(y·log2 x), both by short polynomials (relative error ≈ 2e-5; umap-learn compiles its
    /// `pow` with fast-math too). The layout spends most of its time here.
    @inline(__always) static func power(_ x: Float, _ y: Float) -> Float {
        // log2 x = exponent + log2 m, m in [1, 2): log2 m = (2/ln 2)·atanh(t), t = (m − 1)/(m + 1) ≤ 1/3.
        let bits = x.bitPattern
        let exponent = Float(Int32(bitPattern: (bits >> 23) & 0xff) - 127)
        let m = Float(bitPattern: (bits & 0x7f_ffff) | 0x3f80_0000)
        let t = (m - 1) / (m + 1), t2 = t * t
        let log2m = 2.885_390_08 * t * (1 + t2 * (0.333_333_33 + t2 * (0.2 + t2 * (0.142_857_14 + t2 * 0.111_111_11))))
        var z = y * (exponent + log2m)
        z = min(max(z, -126), 126)
        let whole = z.rounded(.down), f = (z - whole) * 0.693_147_18     // 2^frac = e^(frac·ln 2)
        let e = 1 + f * (1 + f * (0.5 + f * (0.166_666_67 + f * (0.041_666_668 + f * (0.008_333_334 + f * (0.001_388_889 + f * 0.000_198_412_7))))))
        return e * Float(bitPattern: UInt32(Int32(whole) + 127) << 23)
    }

    @inline(__always) private func clip(_ v: Float) -> Float { min(max(v, -4), 4) }
}
