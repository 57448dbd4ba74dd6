import Foundation

/// umap-learn's `optimize_layout_euclidean`: stochastic gradient descent on the fuzzy cross-entropy, one pass over
/// the edges per epoch. An edge of the graph is sampled every `epochsPerSample` epochs (attraction
/// −2ab·d^(2(b−1)) / (1 + a·d^(2b)) along the edge), and each sample draws negative_sample_rate / epochs_per_sample
/// random vertices to push away (repulsion 2γb / ((0.001 + d²)(1 + a·d^(2b)))); every gradient component is clipped
/// to ±4 and the learning rate falls linearly from `initialAlpha` to 0.
///
/// One difference from umap-learn, for speed: the negative samples of one edge sample are all evaluated at the
/// position the head has after the attraction, and their (clipped) pushes applied together, instead of one after
/// the other. Their power functions are then independent and overlap in the processor (about 2× faster on one
/// thread); the map's quality is the same (tests, bench/README.md).
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
        // Several chunks per thread balance a shared machine; one chunk is the reproducible sequential order.
        let chunks = threads > 1 ? max(1, min(8 * threads, edgeCount / 1024 + 1)) : 1

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
            let state = EpochState(head: h, tail: tail == nil ? h : tailBuf.baseAddress!, moveOther: tail == nil,
                                   vertices: tail?.rows ?? head.rows, heads: heads.baseAddress!, tails: tails.baseAddress!,
                                   epochsPerSample: epsBuf.baseAddress!, epochsPerNegative: epsNegBuf.baseAddress!,
                                   nextSample: nextSampleBuf.baseAddress!, nextNegative: nextNegBuf.baseAddress!,
                                   rng: rngBuf.baseAddress!)
            for n in 0..<epochs {
                let alpha = initialAlpha * (1 - Float(n) / Float(epochs))
                let epoch = Double(n)
                if chunks == 1 {
                    run(0..<edgeCount, epoch: epoch, alpha: alpha, dim: dim, state)
                } else {
                    Parallel.forEachRange(edgeCount, chunks: chunks) { edges in
                        run(edges, epoch: epoch, alpha: alpha, dim: dim, state)
                    }
                }
            }
        }}}}}}}}}
    }

    /// The buffers an epoch reads and writes (owned by `optimize`).
    struct EpochState {
        let head: UnsafeMutablePointer<Float>
        let tail: UnsafeMutablePointer<Float>
        let moveOther: Bool
        let vertices: Int
        let heads: UnsafePointer<Int32>
        let tails: UnsafePointer<Int32>
        let epochsPerSample: UnsafePointer<Double>
        let epochsPerNegative: UnsafePointer<Double>
        let nextSample: UnsafeMutablePointer<Double>
        let nextNegative: UnsafeMutablePointer<Double>
        let rng: UnsafeMutablePointer<UInt64>
    }

    /// The 2-D map gets its own copy with the dimension a constant (unrolled coordinate loops).
    private func run(_ edges: Range<Int>, epoch: Double, alpha: Float, dim: Int, _ s: EpochState) {
        if dim == 2 { sample(edges, epoch: epoch, alpha: alpha, dim: 2, s) } else { sample(edges, epoch: epoch, alpha: alpha, dim: dim, s) }
    }

    /// One epoch over `edges`: every edge due is sampled (attraction), then its negative samples (repulsion).
    @inline(__always)
    private func sample(_ edges: Range<Int>, epoch: Double, alpha: Float, dim: Int, _ s: EpochState) {
        let a = self.a, b = self.b, gamma = self.gamma
        let vertices = UInt64(s.vertices)
        let push = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        defer { push.deallocate() }
        for i in edges where s.nextSample[i] <= epoch && s.epochsPerSample[i] > 0 {
            let j = Int(s.heads[i]), k = Int(s.tails[i])
            let current = s.head + j * dim, other = s.tail + k * dim
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
                if s.moveOther { other[d] -= g * alpha }
            }
            s.nextSample[i] += s.epochsPerSample[i]
            // A negative sample rate of 0 makes epochs-per-negative infinite: no negative samples.
            let negatives = s.epochsPerNegative[i].isFinite ? Int((epoch - s.nextNegative[i]) / s.epochsPerNegative[i]) : 0
            if negatives > 0 {
                var state = s.rng[j]
                for d in 0..<dim { push[d] = 0 }
                for _ in 0..<negatives {
                    state &+= 0x9E37_79B9_7F4A_7C15
                    var z = state
                    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                    z ^= z >> 31
                    let o = s.tail + Int(z.multipliedFullWidth(by: vertices).high) * dim   // uniform below `vertices`
                    var s2: Float = 0
                    for d in 0..<dim { let x = current[d] - o[d]; s2 += x * x }
                    guard s2 > 0 else { continue }
                    let rc = 2 * gamma * b / ((0.001 + s2) * (a * UMAPLayout.power(s2, b) + 1))
                    for d in 0..<dim { push[d] += clip(rc * (current[d] - o[d])) }
                }
                for d in 0..<dim { current[d] += push[d] * alpha }
                s.rng[j] = state
            }
            s.nextNegative[i] += Double(negatives) * s.epochsPerNegative[i]
        }
    }

    /// x^y for x > 0 as 2^(y·log2 x), both by short polynomials (relative error ≈ 1e-6; umap-learn compiles its
    /// `pow` with fast-math too). The layout spends most of its time here.
    @inline(__always) static func power(_ x: Float, _ y: Float) -> Float {
        // log2 x = exponent + log2 m, m in [1, 2): log2 m = t·P(t²), t = (m − 1)/(m + 1) ≤ 1/3 (P fits (2/ln 2)·atanh(t)/t).
        let bits = x.bitPattern
        let exponent = Float(Int32(bitPattern: (bits >> 23) & 0xff) - 127)
        let m = Float(bitPattern: (bits & 0x7f_ffff) | 0x3f80_0000)
        let t = (m - 1) / (m + 1), t2 = t * t
        let log2m = t * (2.885_389_8 + t2 * (0.961_900_65 + t2 * (0.572_037_4 + t2 * 0.487_666_96)))
        var z = y * (exponent + log2m)
        z = min(max(z, -126), 126)
        let whole = z.rounded(.toNearestOrEven), f = z - whole             // 2^f, f in [−½, ½]: a degree-5 fit
        let e = 1.000_000_1 + f * (0.693_147_2 + f * (0.240_221_07 + f * (0.055_503_27 + f * (0.009_676_037 + f * 0.001_340_043_3))))
        return e * Float(bitPattern: UInt32(Int32(whole) + 127) << 23)
    }

    @inline(__always) private func clip(_ v: Float) -> Float { min(max(v, -4), 4) }
}
