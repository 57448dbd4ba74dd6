import Foundation

/// What a set of embeddings says about the data behind it: near duplicates, label-error candidates, outliers,
/// each sample's uniqueness, and per class its size and neighbour purity. One exact leave-one-out search (k
/// nearest and every pair above the duplicate threshold, the same pass) feeds them all, in memory O(N·k).
public struct DataAudit: Sendable {
    public struct Settings: Sendable {
        /// Neighbours per sample (cleanlab's default 10).
        public var k: Int
        /// Pairs with cosine at or above it are near duplicates; nil: 1 − 0.13 × the median nearest-neighbour
        /// distance (cleanlab's radius, applied to every pair), found with a second pass.
        public var duplicateSimilarity: Double?
        /// At most this many near-duplicate pairs are listed (their groups are always complete).
        public var pairLimit: Int

        public init(k: Int = 10, duplicateSimilarity: Double? = nil, pairLimit: Int = 1_000_000) throws {
            guard k >= 1 else { throw MetricError.invalidParameter(name: "-k", value: "\(k)", expected: "≥ 1") }
            if let duplicateSimilarity, !(duplicateSimilarity > 0 && duplicateSimilarity <= 1) {
                throw MetricError.invalidParameter(name: "--duplicate-threshold", value: "\(duplicateSimilarity)", expected: "a cosine in (0, 1]")
            }
            guard pairLimit >= 0 else { throw MetricError.invalidParameter(name: "--pair-limit", value: "\(pairLimit)", expected: "≥ 0") }
            self.k = k
            self.duplicateSimilarity = duplicateSimilarity
            self.pairLimit = pairLimit
        }
    }

    /// One class's size and how many of its samples' neighbours share it.
    public struct ClassHealth: Sendable {
        public var samples: Int
        /// Mean over the class's samples of the share of their k nearest neighbours in the same class.
        public var neighbourPurity: Double
    }

    /// The k actually used (at most the samples − 1).
    public let k: Int
    /// The near-duplicate cosine threshold used (given, or derived from the median nearest-neighbour distance).
    public let duplicateSimilarity: Double
    public let neighbours: NearestNeighbors
    public let nearDuplicates: NearDuplicates
    /// nil when the samples are unlabelled.
    public let labelIssues: LabelIssues?
    public let outliers: Outliers
    /// FiftyOne's uniqueness per sample, in [0, 1].
    public let uniqueness: [Double]
    /// Per class id; empty when unlabelled.
    public let classes: [ClassHealth]

    /// Peak bytes per (sample, neighbour) of an audit: the lists, their labels and the near-duplicate sets, as
    /// measured (20,000 rows at -k 10 and 500: 24), rounded up.
    static let bytesPerNeighbour = 32

    /// Audits `embeddings` (rows L2-normalised here); `labels` in `0..<classCount` (nil: unlabelled).
    public init(_ embeddings: some RowBlocks, labels: [Int]?, classCount: Int, settings: Settings,
                memoryBytes: Int = ProcessMemory.limit) throws {
        let n = embeddings.rows
        guard n >= 2 else { throw MetricError.tooFewSamples(metric: "audit", needed: 2, got: n) }
        try MetricError.checkNeighbourLists(option: "-k", points: n, neighbours: min(settings.k, n - 1),
                                            bytesPerNeighbour: Self.bytesPerNeighbour, memoryBytes: memoryBytes)
        if let labels, labels.count != n {
            throw MetricError.incompatibleSets("audit: \(labels.count) labels for \(n) embeddings")
        }
        if let labels { try LabelIssues.checkMemory(classes: Set(labels).count, memoryBytes: memoryBytes) }
        let found: NearestNeighbors, pairs: SimilarPairs
        if let given = settings.duplicateSimilarity {
            (found, pairs) = NearestNeighbors.leaveOneOut(embeddings, k: settings.k, normalizing: true,
                                                          pairsAtLeast: Float(given), pairLimit: settings.pairLimit)
            duplicateSimilarity = given
        } else {
            found = NearestNeighbors(leaveOneOut: embeddings, k: settings.k, normalizing: true)
            let nearest = (0..<n).map { cosineDistance(found.similarities[$0 * found.k]) }
            duplicateSimilarity = 1 - NearDuplicates.relativeFactor * max(median(nearest), 1e-6)
            pairs = NearestNeighbors.leaveOneOut(embeddings, k: 1, normalizing: true, pairsAtLeast: Float(duplicateSimilarity),
                                                 pairLimit: settings.pairLimit).1
        }
        k = found.k
        neighbours = found
        nearDuplicates = NearDuplicates(pairs: pairs, neighbours: found)
        outliers = Outliers(found)
        uniqueness = Embeval.uniqueness(found)
        guard let labels else {
            labelIssues = nil
            classes = []
            return
        }
        let neighbourLabels = found.indices.map { labels[Int($0)] }
        labelIssues = try LabelIssues(neighbourLabels: neighbourLabels, k: found.k, labels: labels, classes: classCount)
        var size = [Int](repeating: 0, count: classCount), same = [Double](repeating: 0, count: classCount)
        for i in 0..<n {
            size[labels[i]] += 1
            let row = neighbourLabels[(i * found.k)..<((i + 1) * found.k)]
            same[labels[i]] += Double(row.filter { $0 == labels[i] }.count) / Double(found.k)
        }
        classes = (0..<classCount).map { ClassHealth(samples: size[$0], neighbourPurity: size[$0] == 0 ? .nan : same[$0] / Double(size[$0])) }
    }
}
