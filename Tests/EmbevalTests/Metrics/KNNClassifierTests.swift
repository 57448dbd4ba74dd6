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
