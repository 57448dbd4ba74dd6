import Foundation
import Testing
@testable import Embeval

/// The vote on a worked example (seed 000's table): dog 2.71 beats cat 0.88 and fox 0.80.
@Test func weightedVoteFollowsTheSeedExample() {
    let sims: [Float] = [0.95, 0.91, 0.88, 0.85, 0.80]
    let neighbours = NearestNeighbors(precomputedIndices: [0, 1, 2, 3, 4], similarities: sims, k: 5)
    let labels = [0, 0, 1, 0, 2]           // dog, dog, cat, dog, fox
    let r = KNNClassifier(ks: [5], weighting: .similarity).vote(neighbours, ks: [5], queryLabels: [1], referenceLabels: labels)
    #expect(r[0].predictions == [0])
    #expect(r[0].top1Accuracy == 0)
    #expect(r[0].top5Accuracy == 100)      // cat is ranked second
}

@Test func tiedClassWeightsGoToTheSmallerClassID() {
    let neighbours = NearestNeighbors(precomputedIndices: [0, 1], similarities: [0.5, 0.5], k: 2)
    let r = KNNClassifier(ks: [2], weighting: .similarity).vote(neighbours, ks: [2], queryLabels: [3], referenceLabels: [7, 3])
    #expect(r[0].predictions == [3])
}

@Test func absentClassesAreNeverTop5Hits() {
    // Only class 1 is among the neighbours: true class 0 must miss even though fewer than five classes are ranked.
    let neighbours = NearestNeighbors(precomputedIndices: [0, 1], similarities: [0.9, 0.8], k: 2)
    let r = KNNClassifier(ks: [2], weighting: .uniform).vote(neighbours, ks: [2], queryLabels: [0], referenceLabels: [1, 1])
    #expect(r[0].top5Accuracy == 0)
}

@Test func expWeightingLetsOneCloseNeighbourOutvoteTwoFarOnes() {
    let neighbours = NearestNeighbors(precomputedIndices: [0, 1, 2], similarities: [0.9, 0.6, 0.6], k: 3)
    let labels = [0, 1, 1]
    let similarity = KNNClassifier(ks: [3], weighting: .similarity).vote(neighbours, ks: [3], queryLabels: [0], referenceLabels: labels)
    let exp = KNNClassifier(ks: [3], weighting: .exp, temperature: 0.07).vote(neighbours, ks: [3], queryLabels: [0], referenceLabels: labels)
    #expect(similarity[0].predictions == [1])   // 1.2 > 0.9
    #expect(exp[0].predictions == [0])          // e^(0.9/0.07) > 2·e^(0.6/0.07)
}

@Test func kLargerThanTheCandidatesIsCappedWithAWarning() throws {
    let (m, labels) = clusteredEmbeddings(rows: 6, columns: 3, classes: 2, seed: 4)
    let e = try Embeddings(matrix: m, labels: labels, ids: (0..<6).map(String.init), classes: ["a", "b"])
    let evaluation = try KNNEvaluation(e, ks: [3, 10], weighting: .similarity)
    #expect(evaluation.ks == [3, 5])
    #expect(evaluation.warnings == ["k=10 exceeds the 5 candidate neighbours; capped to k=5"])
}

@Test func fewerThanTwoSamplesIsAnError() throws {
    let e = try Embeddings(matrix: Matrix(rowVectors: [[1, 0]]), labels: [0], ids: ["only"], classes: ["a"])
    #expect(throws: MetricError.tooFewSamples(metric: "kNN leave-one-out", needed: 2, got: 1)) {
        try KNNEvaluation(e, ks: [10], weighting: .similarity)
    }
}

/// Neighbour lists grow as queries × k, and k is the user's: `audit -k 1000000` on 20,000 rows failed a 3.2 GB
/// allocation under a 6 GB limit after 54 s (signal 6), and `knn --k` is the same kind of search. Both refuse,
/// before searching, lists past half of the memory, naming the largest k that fits: 200 rows at k 50 take
/// 200 × 50 × 16 = 160,000 bytes for kNN and × 32 = 320,000 for an audit.
@Test func neighbourListsPastTheMemoryAreRefusedBeforeTheSearch() throws {
    let (m, labels) = clusteredEmbeddings(rows: 200, columns: 8, classes: 4, seed: 9)
    let set = try Embeddings(matrix: m, labels: labels, ids: (0..<200).map(String.init), classes: ["a", "b", "c", "d"])
    #expect(throws: MetricError.neighboursPastMemory(option: "--k", neighbours: 50, points: 200, needed: 160_000, available: 300_000, most: 46)) {
        try KNNEvaluation(set, ks: [10, 50], weighting: .similarity, memoryBytes: 300_000)
    }
    #expect(try KNNEvaluation(set, ks: [10, 46], weighting: .similarity, memoryBytes: 300_000).results.count == 2)
    #expect(throws: MetricError.neighboursPastMemory(option: "--k", neighbours: 50, points: 200, needed: 160_000, available: 300_000, most: 46)) {
        try KNNEvaluation(set, train: set, ks: [50], weighting: .similarity, memoryBytes: 300_000)
    }
    let settings = try DataAudit.Settings(k: 50)
    #expect(throws: MetricError.neighboursPastMemory(option: "-k", neighbours: 50, points: 200, needed: 320_000, available: 600_000, most: 46)) {
        try DataAudit(m, labels: labels, classCount: 4, settings: settings, memoryBytes: 600_000)
    }
    #expect(try DataAudit(m, labels: labels, classCount: 4, settings: settings, memoryBytes: 640_000).k == 50)
    let message = "\(MetricError.neighboursPastMemory(option: "-k", neighbours: 19_999, points: 20_000, needed: 12_799_360_000, available: 6_000_000_000, most: 4_687))"
    #expect(message == "-k 19999: 19999 neighbours for each of 20000 samples would take about 12.8 GB, more than half of the 6.0 GB this process may use; use -k 4687 or less", "\(message)")
}

/// The label-issue step keeps cleanlab's confident joint and its copies, classes × classes (measured: 10,000 classes
/// peaked at 3.96 GB): past the memory it is refused before the search, naming the class count; 30,000 rows of
/// 15,000 classes aborted on an allocation. Without labels the audit runs.
@Test func labelIssuesOverTooManyClassesAreRefusedBeforeTheSearch() throws {
    let (m, _) = clusteredEmbeddings(rows: 300, columns: 8, classes: 4, seed: 9)
    let labels = (0..<300).map { $0 / 2 }
    let settings = try DataAudit.Settings(k: 10)
    #expect(throws: MetricError.pastMemory(what: "label issues over 150 classes (cleanlab's confident joint and its copies, classes × classes)",
                                           needed: 1_080_000, available: 1_000_000,
                                           remedy: "audit a subset of the classes, or the .npy without --labels (duplicates and outliers need none)")) {
        try DataAudit(m, labels: labels, classCount: 150, settings: settings, memoryBytes: 1_000_000)
    }
    #expect(try DataAudit(m, labels: nil, classCount: 0, settings: settings, memoryBytes: 1_000_000).labelIssues == nil)
    #expect(try DataAudit(m, labels: labels, classCount: 150, settings: settings, memoryBytes: 1_100_000).labelIssues != nil)
}
