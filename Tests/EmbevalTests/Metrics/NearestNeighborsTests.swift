import Foundation
import Testing
@testable import EmbevalMath
@testable import Embeval

/// The blocked search must equal a plain full sort of every similarity row.
@Test(arguments: [(rows: 700, queries: 600, k: 7), (rows: 5000, queries: 530, k: 25)])
func blockedSearchEqualsBruteForce(rows: Int, queries: Int, k: Int) {
    let (refs, _) = clusteredEmbeddings(rows: rows, columns: 8, classes: 4, seed: 1)
    let (qs, _) = clusteredEmbeddings(rows: queries, columns: 8, classes: 4, seed: 2)
    let r = refs.l2NormalizedRows(), q = qs.l2NormalizedRows()
    let found = NearestNeighbors(queries: q, references: r, k: k, excludingSelf: false)
    for i in stride(from: 0, to: queries, by: 37) {
        let sims = (0..<rows).map { j in (0..<8).reduce(Float(0)) { $0 + q[i, $1] * r[j, $1] } }
        let expected = (0..<rows).sorted { sims[$0] != sims[$1] ? sims[$0] > sims[$1] : $0 < $1 }.prefix(k)
        let got = found.indices[(i * k)..<((i + 1) * k)].map(Int.init)
        // Similarities from sgemm and from this loop may differ in the last bit: compare the sets of similarities.
        for (a, b) in zip(expected, got) { #expect(abs(sims[a] - sims[b]) < 1e-5) }
        #expect(zip(found.similarities[(i * k)..<((i + 1) * k)], found.similarities[(i * k + 1)..<((i + 1) * k)]).allSatisfy { $0 >= $1 })
    }
}

@Test func leaveOneOutNeverReturnsTheQueryItself() {
    let (m, _) = clusteredEmbeddings(rows: 300, columns: 4, classes: 3, seed: 3)
    let n = m.l2NormalizedRows()
    let found = NearestNeighbors(queries: n, references: n, k: 5, excludingSelf: true)
    for i in 0..<300 { #expect(!found.indices[(i * 5)..<((i + 1) * 5)].contains(Int32(i))) }
}

@Test func equalSimilaritiesKeepTheSmallerIndexFirst() {
    // References 0..3 are identical: any query sees four equal similarities.
    let refs = Matrix(rowVectors: [[1, 0], [1, 0], [1, 0], [1, 0], [0, 1]])
    let found = NearestNeighbors(queries: Matrix(rowVectors: [[1, 0]]), references: refs, k: 3, excludingSelf: false)
    #expect(found.indices == [0, 1, 2])
}

/// The symmetric leave-one-out (each pair computed once, fed to both rows) keeps, for every row, the same
/// neighbours as searching the set against itself — across chunk (512) and round (4,096) boundaries, with and
/// without normalising, and with duplicated rows so that ties must break by index on both sides of a pair.
@Test(arguments: [(rows: 300, k: 5, normalizing: false), (rows: 5000, k: 12, normalizing: true), (rows: 8300, k: 3, normalizing: true)])
func symmetricLeaveOneOutEqualsTheFullSearch(rows: Int, k: Int, normalizing: Bool) {
    var (m, _) = clusteredEmbeddings(rows: rows, columns: 6, classes: 5, seed: 7)
    for i in stride(from: 0, to: rows - 1, by: 97) { for c in 0..<6 { m[i + 1, c] = m[i, c] } }
    let input = normalizing ? m : m.l2NormalizedRows()
    let symmetric = NearestNeighbors(leaveOneOut: input, k: k, normalizing: normalizing)
    let full = NearestNeighbors(queries: input, references: input, k: k, excludingSelf: true, normalizing: normalizing)
    #expect(symmetric.queryCount == rows)
    var differentSets = 0
    for i in 0..<rows {
        let a = symmetric.indices[(i * k)..<((i + 1) * k)], b = full.indices[(i * k)..<((i + 1) * k)]
        #expect(!a.contains(Int32(i)) && !a.contains(-1))
        // sgemm may round q·r and r·q differently in the last bit, which can swap a near tie at the k-th place:
        // the similarities must agree to float precision, and the index sets almost always.
        for (x, y) in zip(symmetric.similarities[(i * k)..<((i + 1) * k)], full.similarities[(i * k)..<((i + 1) * k)]) {
            #expect(abs(x - y) < 1e-5)
        }
        if Set(a) != Set(b) { differentSets += 1 }
    }
    #expect(differentSets <= rows / 1000)
}

/// A k beyond the candidates is capped, and a set too small to have neighbours gives none instead of trapping.
@Test func leaveOneOutCapsKAndToleratesTinySets() {
    let three = Matrix(rowVectors: [[1, 0], [0, 1], [1, 1]]).l2NormalizedRows()
    let capped = NearestNeighbors(leaveOneOut: three, k: 10)
    #expect(capped.k == 2 && capped.queryCount == 3)
    #expect(capped.indices[0..<2].sorted() == [1, 2])
    for tiny in [Matrix(rowVectors: [[1, 0]]), three] {
        let none = NearestNeighbors(leaveOneOut: tiny, k: tiny.rows == 1 ? 5 : 0)
        #expect(none.k == 0 && none.indices.isEmpty && none.queryCount == 0)
    }
}

/// A large k (a retrieval's depth) gathers each row's candidates and selects the best k in one pass, or (against
/// other rows) keeps them in buffers of 2k selected when full; the kept neighbours must be exactly those of the
/// heap, ties included (rows rounded so many similarities are equal), in both a search against other rows and a
/// whole-set leave-one-out, across rounds of references.
@Test(arguments: [64, 300, 1_200])
func gatheringTheCandidatesKeepsExactlyTheHeapsNeighbours(k: Int) {
    let (raw, _) = clusteredEmbeddings(rows: 5_000, columns: 6, classes: 5, seed: 31)
    let rounded = Matrix(rows: raw.rows, columns: raw.columns, values: raw.values.map { ($0 * 2).rounded() / 2 })
    let queries = rounded.selectingRows(Array(0..<700))
    var heap = NeighbourSearch(k: k, normalizing: true)
    heap.gatheringFromK = .max
    var gathering = NeighbourSearch(k: k, normalizing: true)
    gathering.bufferingUpToPairs = 0
    let buffering = NeighbourSearch(k: k, normalizing: true)
    for (symmetric, q) in [(false, queries), (true, rounded)] {
        let a = heap.run(queries: q, references: rounded, symmetric: symmetric, excludedOffset: symmetric ? nil : 0)
        for (name, other) in [("gathering", gathering), ("buffering", buffering)] {
            let b = other.run(queries: q, references: rounded, symmetric: symmetric, excludedOffset: symmetric ? nil : 0)
            #expect(a.indices == b.indices, "k \(k), symmetric \(symmetric), \(name)")
            #expect(a.similarities == b.similarities, "k \(k), symmetric \(symmetric), \(name)")
            #expect(!b.indices.contains(-1))
        }
    }
}

/// The sort key orders pairs as the results are listed — similarity descending, equal ones by index ascending,
/// empty slots last — and gives back the similarity it was made from (−0 as +0).
@Test func sortKeysOrderPairsAsListed() {
    let sims: [Float] = [0.5, -0.25, 0, -0, 1, -1, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, -.infinity, 0.5, 3e38, -3e38]
    let pairs = sims.enumerated().map { (sim: $0.element, index: Int32($0.element == -.infinity ? -1 : $0.offset)) }
    let expected = pairs.sorted { $0.sim != $1.sim ? $0.sim > $1.sim : ($0.index < 0) != ($1.index < 0) ? $1.index < 0 : $0.index < $1.index }
    let byKey = pairs.sorted { TopKRows.sortKey($0.sim, $0.index) < TopKRows.sortKey($1.sim, $1.index) }
    #expect(byKey.map(\.index) == expected.map(\.index))
    for p in pairs { #expect(TopKRows.similarity(ofKey: TopKRows.sortKey(p.sim, p.index)) == p.sim) }
    #expect(TopKRows.similarity(ofKey: TopKRows.sortKey(-0, 3)).sign == .plus)
}

/// The symmetric Euclidean leave-one-out (t-SNE's neighbours: blocks of −‖xᵢ − xⱼ‖²/2 fed to both rows) finds each
/// row's nearest other rows by distance — across chunk and round boundaries, un-normalised rows of different norms
/// (where inner products and distances rank differently), both the heap and the gathering selection.
@Test(arguments: [(rows: 700, k: 5), (rows: 4_700, k: 90)])
func euclideanLeaveOneOutFindsTheNearestRows(rows: Int, k: Int) {
    let (raw, _) = clusteredEmbeddings(rows: rows, columns: 7, classes: 4, seed: 12)
    var m = raw
    for i in 0..<rows { for c in 0..<7 { m[i, c] *= 1 + Float(i % 5) / 2 } }
    let found = NearestNeighbors.euclidean(leaveOneOut: m, k: k)
    #expect(found.k == k && found.queryCount == rows)
    var differentSets = 0
    for i in stride(from: 0, to: rows, by: 7) {
        let d2 = (0..<rows).map { j in (0..<7).reduce(0.0) { $0 + pow(Double(m[i, $1]) - Double(m[j, $1]), 2) } }
        let expected = (0..<rows).filter { $0 != i }.sorted { d2[$0] != d2[$1] ? d2[$0] < d2[$1] : $0 < $1 }.prefix(k)
        let got = found.indices[(i * k)..<((i + 1) * k)].map(Int.init)
        #expect(!got.contains(i) && !got.contains(-1))
        for (t, j) in got.enumerated() {
            // The similarity is −d²/2 to float32 precision (relative to the norms that cancel in it).
            #expect(abs(Double(found.similarities[i * k + t]) + d2[j] / 2) < 1e-4 * (1 + d2[j]))
        }
        if Set(expected) != Set(got) { differentSets += 1 }
        // Whatever a float32 near-tie swaps at the k-th place is as near as what it displaced.
        #expect(abs(d2[expected.last!] - got.map { d2[$0] }.max()!) < 1e-4 * (1 + d2[expected.last!]))
    }
    #expect(differentSets <= rows / 7 / 100 + 1)
    #expect(NearestNeighbors.euclidean(leaveOneOut: Matrix(rowVectors: [[1, 2]]), k: 3).k == 0)
}
