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
