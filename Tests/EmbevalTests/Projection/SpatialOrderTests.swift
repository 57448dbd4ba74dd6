import Foundation
import Testing
@testable import Embeval

// t-SNE stores its points along a Z-order curve of their positions while it optimises (`SpatialOrder`): the slots
// must follow the curve, every per-point array must move with its point, and the gradient must be the same force on
// the same point whichever slot holds it.

@Test func resortFollowsTheZOrderCurve() {
    // A 2 × 2 grid given in reverse: the curve visits (0,0), (1,0), (0,1), (1,1) — x in the low bit of each pair.
    let y: [Double] = [1, 1, 0, 1, 1, 0, 0, 0]
    var order = SpatialOrder(count: 4)
    let move = order.resort(positions: y, dims: 2)
    #expect(move.order == [3, 2, 1, 0])
    #expect(order.rows == [3, 2, 1, 0])
    var moved = y
    move.apply(&moved, dims: 2)
    #expect(moved == [0, 0, 1, 0, 0, 1, 1, 1])
    #expect(order.inputOrder(moved, dims: 2) == y)
    // Three points in one cell keep their order; the fourth, alone at the far corner, comes last.
    var tied = SpatialOrder(count: 4)
    #expect(tied.resort(positions: [1, 1, 0, 0, 0, 0, 0, 0], dims: 2).order == [1, 2, 3, 0])
}

@Test func resortsComposeAndInputOrderUndoesThem() {
    var g = SeededGenerator(seed: 9)
    for dims in [2, 3] {
        let n = 500
        let original = (0..<(n * dims)).map { _ in PCA.gaussian(&g) }
        var y = original, order = SpatialOrder(count: n)
        for round in 0..<3 {
            let move = order.resort(positions: y, dims: dims)
            #expect(Set(move.order) == Set((0..<n).map(Int32.init)), "a permutation, round \(round)")
            for (s, old) in move.order.enumerated() { #expect(move.newSlot[Int(old)] == Int32(s)) }
            move.apply(&y, dims: dims)
            for i in 0..<n { y[i * dims] += 0.1 * PCA.gaussian(&g) }   // the map moves between re-sorts
            for i in 0..<n { for d in 1..<dims { #expect(y[i * dims + d] == original[Int(order.rows[i]) * dims + d]) } }
        }
        let back = order.inputOrder(y, dims: dims)
        for r in 0..<n { for d in 1..<dims { #expect(back[r * dims + d] == original[r * dims + d]) } }
    }
}

@Test func gradientIsTheSameForcesWhicheverSlotsHoldThePoints() throws {
    let (x, _) = clusteredEmbeddings(rows: 300, columns: 6, classes: 3, seed: 4)
    let k = 30
    let (indices, distances) = TSNEAffinities.neighbours(queries: x, references: x, k: k, excludingSelf: true)
    let conditional = TSNEAffinities.conditional(distances: distances, k: k, perplexity: 10)
    let p = TSNEAffinities.joint(indices: indices, conditional: conditional, k: k, count: x.rows)
    for (method, dims) in [(TSNE.Method.fft, 2), (.barnesHut, 2), (.barnesHut, 3)] {
        var gradient = Gradient(p: p, dims: dims, method: method, theta: 0.5, fft: FFTRepulsion())
        var g = SeededGenerator(seed: 2)
        let y = (0..<(x.rows * dims)).map { _ in 5 * PCA.gaussian(&g) }
        let (inInputOrder, klInput) = gradient.evaluate(y: y, exaggeration: 12, wantKL: true)
        var slotted = y, optimizer = Optimizer(count: y.count)
        optimizer.gains = (0..<y.count).map(Double.init)
        gradient.resort(y: &slotted, optimizer: &optimizer)
        #expect(gradient.order.rows != (0..<Int32(x.rows)).map { $0 }, "the points moved")
        #expect(gradient.order.inputOrder(optimizer.gains, dims: dims) == (0..<y.count).map(Double.init))
        let (bySlot, klSlot) = gradient.evaluate(y: slotted, exaggeration: 12, wantKL: true)
        let back = gradient.order.inputOrder(bySlot, dims: dims)
        let scale = inInputOrder.map(abs).max()!
        let worst = zip(back, inInputOrder).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-9 * scale, "\(method) \(dims)-D: forces differ by \(worst) (largest \(scale))")
        #expect(abs(klSlot - klInput) <= 1e-9 * abs(klInput), "\(method) \(dims)-D: KL \(klSlot) vs \(klInput)")
    }
}
