import Testing
@testable import EmbevalMath
@testable import Embeval

/// One Lloyd step's fused pass (nearest centre, then the row into that centre's sum) gives `assign`'s labels and the
/// plain per-cluster sums and counts, across slice boundaries (5,000 rows: 4 slices of 1,250).
@Test func lloydPassLabelsAndSumsEqualThePlainOnes() {
    let (m, classes) = clusteredEmbeddings(rows: 5_000, columns: 13, classes: 6, seed: 3)
    let x = FeatureMatrix(m), k = 6, d = 13
    // One row of each class as the centres, so every cluster has members.
    let centres = (0..<k).flatMap { c in x.values[(classes.firstIndex(of: c)! * d)...].prefix(d) }
    let step = KMeans.assignAndSum(x, centres: centres, clusters: k)
    #expect(step.labels == KMeans.assign(x, centres: centres, clusters: k).labels)
    var sums = [Double](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
    for i in 0..<x.rows {
        counts[step.labels[i]] += 1
        for j in 0..<d { sums[step.labels[i] * d + j] += x.values[i * d + j] }
    }
    #expect(step.counts == counts)
    #expect(zip(step.sums, sums).allSatisfy { abs($0 - $1) <= 1e-9 * (1 + abs($1)) })
    #expect(Set(step.labels).count == k)
}

/// A seeded fit is the same bits whether its loops run on 1, 2 or 7 cores: k-means++'s distances, the Lloyd passes'
/// slices and the inertia's do not depend on the number of cores.
@Test func seededKMeansIsTheSameOnAnyNumberOfCores() {
    let (m, _) = clusteredEmbeddings(rows: 3_000, columns: 9, classes: 5, seed: 8)
    let x = FeatureMatrix(m), kmeans = KMeans(clusters: 5, initialisations: 3, seed: 4)
    let parallel = kmeans.fit(x)
    for cores in [1, 7] {
        let other = Parallel.simulatingCores(cores) { kmeans.fit(x) }
        #expect(other.labels == parallel.labels, "\(cores) cores")
        #expect(other.centres == parallel.centres, "\(cores) cores")
        #expect(other.inertia == parallel.inertia, "\(cores) cores")
    }
}

/// Cluster accuracy matches the smaller side into the larger (padding to a square made 4,000 clusters of 5 classes
/// a 4,000² assignment: 128 s): on small random tables of either shape it equals the best matching found by trying
/// every one-to-one assignment, and the samples it marks matched are that many.
@Test func clusterAccuracyIsTheBestOneToOneMatchingOfEitherShape() {
    var g = SeededGenerator(seed: 12)
    func best(_ classes: [Int], _ clusters: [Int]) -> Int {
        let rows = Array(Set(classes)).sorted(), columns = Array(Set(clusters)).sorted()
        func count(_ r: Int, _ c: Int) -> Int { zip(classes, clusters).filter { $0 == rows[r] && $1 == columns[c] }.count }
        // Every injective map of the smaller side into the larger.
        func search(_ i: Int, _ used: Set<Int>, small: Int, large: Int, rowsSmall: Bool) -> Int {
            guard i < small else { return 0 }
            var top = search(i + 1, used, small: small, large: large, rowsSmall: rowsSmall)
            for j in 0..<large where !used.contains(j) {
                top = max(top, (rowsSmall ? count(i, j) : count(j, i)) + search(i + 1, used.union([j]), small: small, large: large, rowsSmall: rowsSmall))
            }
            return top
        }
        return rows.count <= columns.count ? search(0, [], small: rows.count, large: columns.count, rowsSmall: true)
            : search(0, [], small: columns.count, large: rows.count, rowsSmall: false)
    }
    for trial in 0..<40 {
        let classCount = 1 + Int(g.next() % 5), clusterCount = 1 + Int(g.next() % 5), n = 5 + Int(g.next() % 30)
        let classes = (0..<n).map { _ in Int(g.next() % UInt64(classCount)) * 3 }
        let clusters = (0..<n).map { _ in Int(g.next() % UInt64(clusterCount)) + 7 }
        let expected = best(classes, clusters)
        let accuracy = ClusteringScores.value(of: .clusterAccuracy, classes: classes, clusters: clusters) ?? -1
        #expect(abs(accuracy - 100 * Double(expected) / Double(n)) < 1e-9, "trial \(trial)")
        #expect(ClusteringScores.matched(classes: classes, clusters: clusters).filter { $0 }.count == expected, "trial \(trial)")
    }
}

/// Cluster accuracy's matching works on a dense classes × clusters table: one that would not fit in the memory is
/// refused before k-means runs, naming the --clusters that fits; a large but fitting one (ImageNet-21k-P's 10,450
/// classes) runs.
@Test func clusterMatchingPastTheMemoryIsRefused() throws {
    #expect(throws: Never.self) { try ClusteringScores.checkMatching(classes: 10_450, clusters: 10_450, memoryBytes: 16_000_000_000) }
    #expect(throws: MetricError.pastMemory(what: "cluster accuracy's classes × clusters table for matching 20000 classes with 20000 clusters (Hungarian algorithm)",
                                           needed: 3_200_000_000, available: 2_000_000_000, remedy: "use --clusters 12500 or fewer")) {
        try ClusteringScores.checkMatching(classes: 20_000, clusters: 20_000, memoryBytes: 2_000_000_000)
    }
}

/// The sparse table gives the scores the dense one did: every pair count, on random labelings of many sizes, against
/// a direct count of pairs (ARI) and the matching against every assignment's best on small tables.
@Test func sparseContingencyScoresMatchDirectCounts() {
    var g = SeededGenerator(seed: 17)
    for trial in 0..<30 {
        let n = 5 + Int(g.next() % 60)
        let classes = (0..<n).map { _ in Int(g.next() % 5) * 1_000_003 }, clusters = (0..<n).map { _ in Int(g.next() % 4) }
        var agree = 0, sameClass = 0, sameCluster = 0
        for i in 0..<n { for j in (i + 1)..<n {
            let a = classes[i] == classes[j], b = clusters[i] == clusters[j]
            if a && b { agree += 1 }
            if a { sameClass += 1 }
            if b { sameCluster += 1 }
        } }
        let pairs = Double(n * (n - 1) / 2), expected = Double(sameClass) * Double(sameCluster) / pairs
        let top = (Double(sameClass) + Double(sameCluster)) / 2
        let ari = top == expected ? 1 : (Double(agree) - expected) / (top - expected)
        let s = ClusteringScores(classes: classes, clusters: clusters)
        #expect(abs(s.ari - ari) <= 1e-12, "trial \(trial): \(s.ari) vs \(ari)")
        #expect(s.matched(classes: classes, clusters: clusters).filter { $0 }.count == Int((s.clusterAccuracy * Double(n)).rounded()))
    }
}
