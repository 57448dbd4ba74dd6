import Foundation

/// The k most similar references of every query row, by inner product (cosine on L2-normalised rows).
///
/// Computed block by block — an sgemm of a query block against a reference block, then a running per-row
/// top-k — so memory stays O((M + N)·d + M·k) and no M×N matrix ever exists. Neighbours of a row are ordered by
/// similarity, descending; equal similarities by the smaller reference index.
public struct NearestNeighbors: Sendable {
    /// Neighbours kept per query row.
    public let k: Int
    /// `queries × k` reference indices, row-major.
    public let indices: [Int32]
    /// `queries × k` similarities, matching `indices`.
    public let similarities: [Float]

    public var queryCount: Int { k == 0 ? 0 : indices.count / k }

    /// Neighbours found elsewhere (tests, other tools): `queries × k` indices and similarities, already ordered.
    public init(precomputedIndices indices: [Int32], similarities: [Float], k: Int) {
        precondition(indices.count == similarities.count && indices.count % k == 0)
        self.k = k
        self.indices = indices
        self.similarities = similarities
    }

    /// Searches `references` for each row of `queries` (both `rows × d`, same d), reading both a block at a time,
    /// so references mapped from disk are never copied whole.
    /// - Parameters:
    ///   - excludingSelf: leave-one-out: query i never gets reference `queryOffset + i` (the queries are rows
    ///     `queryOffset…` of the references' set: all of it, or one shard of it). For the whole set, prefer
    ///     `init(leaveOneOut:k:normalizing:)`, which computes each pair once.
    ///   - normalizing: L2-normalise each row of both sides first (`Matrix.normalizeRows`, block by block), giving
    ///     bit for bit the neighbours of the normalised matrices.
    public init<Queries: RowBlocks, References: RowBlocks>(queries: Queries, references: References, k: Int, excludingSelf: Bool,
                                                           queryOffset: Int = 0, normalizing: Bool = false) {
        precondition(queries.columns == references.columns, "NearestNeighbors: widths differ")
        let candidates = references.rows - (excludingSelf ? 1 : 0)
        precondition(k >= 1 && k <= candidates, "NearestNeighbors: k=\(k) with \(candidates) candidates")
        let found = NeighbourSearch(k: k, normalizing: normalizing)
            .run(queries: queries, references: references, symmetric: false, excludedOffset: excludingSelf ? queryOffset : nil)
        self.k = k
        self.indices = found.indices
        self.similarities = found.similarities
    }

    /// The k references of largest cosine for each query row (both sides L2-normalised block by block): a search of
    /// other rows, as `search` and `compare`'s least-alike samples run it.
    public static func cosine<References: RowBlocks>(of queries: Matrix, in references: References, k: Int) -> NearestNeighbors {
        NearestNeighbors(queries: queries, references: references, k: k, excludingSelf: false, normalizing: true)
    }

    /// Leave-one-out over a whole set: every row's k most similar other rows. The similarity matrix is symmetric,
    /// so each pair is computed once and feeds both rows (about half the work of searching the set against itself).
    /// `k` is capped at the `rows − 1` candidates; with fewer than two rows, or k < 1, nothing is searched (k = 0).
    public init<Set: RowBlocks>(leaveOneOut set: Set, k requested: Int, normalizing: Bool = false) {
        let k = max(0, min(requested, set.rows - 1))
        guard k > 0 else {
            (self.k, self.indices, self.similarities) = (0, [], [])
            return
        }
        let found = NeighbourSearch(k: k, normalizing: normalizing).run(queries: set, references: set, symmetric: true, excludedOffset: nil)
        self.k = k
        self.indices = found.indices
        self.similarities = found.similarities
    }

    /// Leave-one-out neighbours, and from the same pass every pair of rows whose similarity is at least
    /// `minimumSimilarity` (the `pairLimit` most similar listed, their groups exact).
    public static func leaveOneOut<Set: RowBlocks>(_ set: Set, k requested: Int, normalizing: Bool = false,
                                                   pairsAtLeast minimumSimilarity: Float, pairLimit: Int) -> (NearestNeighbors, SimilarPairs) {
        let collector = PairCollector(floor: minimumSimilarity, nodes: set.rows, limit: pairLimit)
        let k = max(0, min(requested, set.rows - 1))
        guard k > 0 else {
            return (NearestNeighbors(leaveOneOut: set, k: 0), SimilarPairs(minimumSimilarity: minimumSimilarity, collector: collector))
        }
        let found = NeighbourSearch(k: k, normalizing: normalizing)
            .run(queries: set, references: set, symmetric: true, excludedOffset: nil, pairs: collector)
        return (NearestNeighbors(precomputedIndices: found.indices, similarities: found.similarities, k: k),
                SimilarPairs(minimumSimilarity: minimumSimilarity, collector: collector))
    }

    /// Every pair of a query row and a reference row (another set) whose similarity is at least `minimumSimilarity`;
    /// reference row j is node `queries.rows + j` in the groups.
    public static func similarPairs<Queries: RowBlocks, References: RowBlocks>(queries: Queries, references: References, normalizing: Bool = false,
                                                                              atLeast minimumSimilarity: Float, pairLimit: Int) -> SimilarPairs {
        let collector = PairCollector(floor: minimumSimilarity, nodes: queries.rows + references.rows, limit: pairLimit)
        if queries.rows > 0 && references.rows > 0 && queries.columns == references.columns {
            _ = NeighbourSearch(k: 1, normalizing: normalizing)
                .run(queries: queries, references: references, symmetric: false, excludedOffset: nil, pairs: collector)
        }
        return SimilarPairs(minimumSimilarity: minimumSimilarity, collector: collector)
    }
}
