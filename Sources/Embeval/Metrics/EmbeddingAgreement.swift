import Foundation

/// Label-free agreement of two embeddings of the same samples — far more sensitive than an accuracy delta, and it
/// needs no labels.
///
/// - Per-sample cosine between the baseline and candidate vectors of a sample (only when the widths match):
///   mean, minimum, 1st percentile (numpy's linear interpolation) and the lowest ids.
/// - Neighbour overlap@k: for each sample, the Jaccard index |A ∩ B| / |A ∪ B| of its k nearest neighbours
///   (cosine, itself excluded) in the two spaces, averaged over samples. 1 means identical neighbourhoods.
public struct EmbeddingAgreement: Sendable {
    public struct Cosines: Sendable {
        public let mean: Double
        public let min: Double
        public let p01: Double
        /// The samples whose two embeddings agree least, lowest cosine first.
        public let worst: [(id: String, cosine: Double)]
    }

    public let cosines: Cosines?
    public let k: Int
    public let neighbourOverlap: Double

    /// Peak bytes per (sample, neighbour) of both sides' lists and their overlap, as measured (5,000 rows at k 4,999:
    /// 30), rounded up.
    static let bytesPerNeighbour = 32

    /// `memoryBytes`: neighbour lists past half of it are refused before the search, naming the largest k that fits.
    public init(baseline: Embeddings, candidate: Embeddings, k: Int = 10, worstCount: Int = 10,
                memoryBytes: Int = ProcessMemory.limit) throws {
        guard baseline.count == candidate.count else {
            throw MetricError.incompatibleSets("baseline has \(baseline.count) embeddings, candidate \(candidate.count): agreement needs the same samples")
        }
        guard baseline.count >= 2 else { throw MetricError.tooFewSamples(metric: "agreement", needed: 2, got: baseline.count) }
        if let i = baseline.ids.indices.first(where: { baseline.ids[$0] != candidate.ids[$0] }) {
            throw MetricError.incompatibleSets("row \(i): baseline id '\(baseline.ids[i])' but candidate id '\(candidate.ids[i])': the two sides are not the same samples in the same order")
        }
        let a = baseline.rows.l2NormalizedRows(), b = candidate.rows.l2NormalizedRows()
        if a.columns == b.columns {
            let cos: [Double] = (0..<a.rows).map { i in
                var s = 0.0
                for j in 0..<a.columns { s += Double(a[i, j]) * Double(b[i, j]) }
                return s
            }
            let sorted = cos.sorted()
            let worst = cos.indices.sorted { cos[$0] != cos[$1] ? cos[$0] < cos[$1] : $0 < $1 }.prefix(worstCount)
            cosines = Cosines(mean: cos.reduce(0, +) / Double(cos.count), min: sorted[0],
                              p01: PairedBootstrap.percentile(sorted, 1),
                              worst: worst.map { (baseline.ids[$0], cos[$0]) })
        } else {
            cosines = nil
        }
        let kk = min(k, baseline.count - 1)
        try MetricError.checkNeighbourLists(option: "--overlap-k", points: baseline.count, neighbours: kk,
                                            bytesPerNeighbour: Self.bytesPerNeighbour, memoryBytes: memoryBytes)
        self.k = kk
        let na = NearestNeighbors(leaveOneOut: a, k: kk)
        let nb = NearestNeighbors(leaveOneOut: b, k: kk)
        var total = 0.0
        for i in 0..<a.rows {
            let sa = Set(na.indices[(i * kk)..<((i + 1) * kk)]), sb = Set(nb.indices[(i * kk)..<((i + 1) * kk)])
            total += Double(sa.intersection(sb).count) / Double(sa.union(sb).count)
        }
        neighbourOverlap = total / Double(a.rows)
    }
}
