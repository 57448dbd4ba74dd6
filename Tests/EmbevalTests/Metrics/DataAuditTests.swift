import Foundation
import Testing
@testable import Embeval

/// `DataAudit` against cleanlab's Datalab and the explicit numpy rules of tools/fixtures/audit.py, on the demo
/// model's embeddings of Fashion-MNIST images with planted flips, copies and out-of-distribution images.
struct DataAuditTests {
    static let folder = TestPaths.fixture("audit")
    nonisolated(unsafe) static let expected: [String: Any] = {
        let data = (try? Data(contentsOf: folder.appendingPathComponent("expected.json"))) ?? Data()
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
    }()

    static func section(_ key: String) -> [String: Any] { expected[key] as? [String: Any] ?? [:] }
    static func ints(_ value: Any?) -> [Int] { (value as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue } }
    static func doubles(_ value: Any?) -> [Double] { (value as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue } }
    static func intLists(_ value: Any?) -> [[Int]] { (value as? [Any] ?? []).map { ints($0) } }

    static func embeddings() throws -> Embeddings {
        try Embeddings.load(embeddings: folder.appendingPathComponent("embeddings/embeddings.npy"),
                            labels: folder.appendingPathComponent("embeddings/labels.npy"))
    }

    static func audit(threshold: Double? = 0.95) throws -> (DataAudit, Embeddings) {
        let e = try embeddings()
        return (try DataAudit(e.rows, labels: e.labels, classCount: 10, settings: try .init(k: 10, duplicateSimilarity: threshold)), e)
    }

    /// Column `name` of scores.npy (float64 [N, columns], read as float32).
    static func scores(_ name: String) throws -> [Double] {
        let columns = (expected["scores_columns"] as? [String]) ?? []
        let m = try NumpyArray.readMatrix(at: folder.appendingPathComponent("scores.npy"))
        guard let c = columns.firstIndex(of: name) else { return [] }
        return (0..<m.rows).map { Double(m.values[$0 * m.columns + c]) }
    }

    static func jaccard(_ a: [Int], _ b: [Int]) -> Double {
        let x = Set(a), y = Set(b)
        return x.union(y).isEmpty ? 1 : Double(x.intersection(y).count) / Double(x.union(y).count)
    }

    @Test func labelIssuesFollowCleanlabsConfidentLearning() throws {
        let (audit, _) = try Self.audit()
        let issues = try #require(audit.labelIssues)
        let label = Self.section("label")
        #expect(issues.confidentJoint == Self.intLists(label["confident_joint"]))
        for (a, b) in zip(issues.thresholds, Self.doubles(label["confident_thresholds"])) { #expect(abs(a - b) < 1e-8) }
        // Equal to cleanlab except where its unstable sort cuts inside tied margins.
        let certain = Set(Self.ints(label["flagged_certain"])), ambiguous = Set(Self.ints(label["ambiguous_at_tied_cuts"]))
        let flagged = Set(issues.flagged)
        #expect(certain.isSubset(of: flagged), "missing \(certain.subtracting(flagged).sorted())")
        #expect(flagged.isSubset(of: certain.union(ambiguous)), "extra \(flagged.subtracting(certain.union(ambiguous)).sorted())")
        #expect(flagged == Set(Self.ints(label["flagged_stable"])))
        let datalab = Self.ints(Self.section("datalab")["label"].flatMap { ($0 as? [String: Any])?["flagged"] })
        #expect(Self.jaccard(issues.flagged, datalab) >= 0.9)
        let confidence = try Self.scores("label_self_confidence")
        #expect(zip(issues.selfConfidence, confidence).allSatisfy { abs($0 - $1) < 1e-6 })   // scores.npy is read as float32
        // Ranked by self-confidence, lowest first.
        #expect(zip(issues.flagged, issues.flagged.dropFirst()).allSatisfy { issues.selfConfidence[$0] <= issues.selfConfidence[$1] })
    }

    @Test func outliersFollowCleanlabsIQRRule() throws {
        let (audit, _) = try Self.audit()
        let outlier = Self.section("outlier")
        #expect(audit.outliers.flagged.sorted() == Self.ints(outlier["flagged"]))
        #expect(abs(audit.outliers.threshold - ((outlier["threshold"] as? NSNumber)?.doubleValue ?? 0)) < 1e-6)
        let mean = try Self.scores("outlier_mean_distance"), score = try Self.scores("outlier_score")
        #expect(zip(audit.outliers.meanDistance, mean).map { abs($0 - $1) }.max() ?? 1 < 1e-6)
        #expect(zip(audit.outliers.score, score).map { abs($0 - $1) }.max() ?? 1 < 1e-5)
    }

    @Test func relativeNearDuplicatesAreCleanlabsSets() throws {
        let (audit, _) = try Self.audit()
        let near = Self.section("near_duplicate")
        #expect(audit.nearDuplicates.relativeSets == Self.intLists(near["sets"]).map { $0.sorted() })
        #expect(audit.nearDuplicates.relativeFlagged == Self.ints(near["flagged"]))
        #expect(abs(audit.nearDuplicates.medianNearestDistance - ((near["median"] as? NSNumber)?.doubleValue ?? 0)) < 1e-6)
        let score = try Self.scores("near_duplicate_score")
        #expect(zip(audit.nearDuplicates.score, score).map { abs($0 - $1) }.max() ?? 1 < 1e-4)
    }

    @Test func pairsAboveTheThresholdEqualBruteForce() throws {
        let (audit, e) = try Self.audit(threshold: 0.95)
        let reference = try NumpyArray.readIntegerMatrix(at: Self.folder.appendingPathComponent("pairs_0.95.npy"))
        let expectedPairs = Set((0..<reference.rows).map { [reference.values[2 * $0], reference.values[2 * $0 + 1]] })
        let found = Set(audit.nearDuplicates.pairs.pairs.map { [$0.first, $0.second] })
        #expect(audit.nearDuplicates.pairs.total == reference.rows)
        #expect(audit.nearDuplicates.pairs.isComplete)
        #expect(found == expectedPairs, "differ in \(found.symmetricDifference(expectedPairs).count) pairs")
        // Groups at 0.99: the connected components of the pair graph.
        let strict = try DataAudit(e.rows, labels: e.labels, classCount: 10, settings: try .init(duplicateSimilarity: 0.99))
        let groups = Self.intLists((Self.section("pairs")["0.99"] as? [String: Any])?["groups"])
        #expect(strict.nearDuplicates.pairs.groups.map(\.members).sorted { $0[0] < $1[0] } == groups.sorted { $0[0] < $1[0] })
        #expect(strict.nearDuplicates.pairs.groups.allSatisfy { $0.lowestSimilarity >= 0.99 })
    }

    @Test func uniquenessIsFiftyOnesFormula() throws {
        let (audit, _) = try Self.audit()
        let reference = try Self.scores("uniqueness")
        #expect(reference.count == audit.uniqueness.count)
        #expect(zip(audit.uniqueness, reference).map { abs($0 - $1) }.max() ?? 1 < 1e-5)
    }

    @Test func automaticThresholdIsCleanlabsRadiusOverAllPairs() throws {
        let (audit, _) = try Self.audit(threshold: nil)
        let radius = (Self.section("near_duplicate")["radius"] as? NSNumber)?.doubleValue ?? 0
        #expect(abs(audit.duplicateSimilarity - (1 - radius)) < 1e-6)
        // Every pair cleanlab's rule finds among the k nearest is found, and groups hold them.
        let relative = Set(audit.nearDuplicates.relativeFlagged)
        let grouped = Set(audit.nearDuplicates.pairs.groups.flatMap(\.members))
        #expect(relative.isSubset(of: grouped))
    }

    @Test func identicalRowsAreThePixelIdenticalImages() throws {
        let e = try Self.embeddings()
        let digests = (0..<e.count).map { i in e.rows.withRows(i..<(i + 1)) { ContentDigest(bytes: UnsafeRawBufferPointer($0)) } }
        let reference = Self.intLists((Self.section("exact_duplicates"))["identical_pixels"])
        #expect(AuditTask.groups(of: digests) == reference)
    }

    @Test func badSettingsAreRefused() throws {
        for threshold in [0.0, -0.5, 1.01, .nan] {
            #expect(throws: MetricError.self) { try DataAudit.Settings(duplicateSimilarity: threshold) }
        }
        #expect(throws: MetricError.self) { try DataAudit.Settings(k: 0) }
        let one = Matrix(rows: 1, columns: 3, values: [1, 0, 0])
        #expect(throws: MetricError.tooFewSamples(metric: "audit", needed: 2, got: 1)) {
            try DataAudit(one, labels: [0], classCount: 1, settings: try .init())
        }
        let two = Matrix(rows: 2, columns: 2, values: [1, 0, 0, 1])
        #expect(throws: MetricError.self) { try DataAudit(two, labels: [0, 5], classCount: 2, settings: try .init()) }
        #expect(throws: MetricError.self) { try DataAudit(two, labels: [0], classCount: 2, settings: try .init()) }
    }
}

/// The pair search against brute force: every pair once, groups exact, the listed pairs the most similar.
struct SimilarPairsTests {
    static func bruteForce(_ m: Matrix, _ other: Matrix?, floor: Float) -> Set<[Int]> {
        let a = m.l2NormalizedRows(), b = (other ?? m).l2NormalizedRows()
        var found = Set<[Int]>()
        for i in 0..<a.rows {
            for j in (other == nil ? i + 1 : 0)..<b.rows {
                var dot: Float = 0
                for c in 0..<a.columns { dot += a.values[i * a.columns + c] * b.values[j * b.columns + c] }
                if dot >= floor + 1e-5 { found.insert([i, other == nil ? j : a.rows + j]) }
            }
        }
        return found
    }

    @Test(arguments: [600, 5000])
    func leaveOneOutFindsEveryPairOnce(rows: Int) throws {
        let (m, _) = clusteredEmbeddings(rows: rows, columns: 16, classes: 4, seed: 7, noise: 0.3)
        let (_, pairs) = NearestNeighbors.leaveOneOut(m, k: 5, normalizing: true, pairsAtLeast: 0.9, pairLimit: .max)
        let found = pairs.pairs.map { [$0.first, $0.second] }
        #expect(Set(found).count == found.count)
        #expect(pairs.pairs.allSatisfy { $0.first < $0.second && $0.similarity >= 0.9 })
        #expect(Self.bruteForce(m, nil, floor: 0.9).isSubset(of: Set(found)))
        #expect(zip(pairs.pairs, pairs.pairs.dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
    }

    @Test func aLimitKeepsTheMostSimilarAndCompleteGroups() throws {
        let (m, _) = clusteredEmbeddings(rows: 800, columns: 8, classes: 3, seed: 3, noise: 0.2)
        let (_, all) = NearestNeighbors.leaveOneOut(m, k: 3, normalizing: true, pairsAtLeast: 0.8, pairLimit: .max)
        let (_, some) = NearestNeighbors.leaveOneOut(m, k: 3, normalizing: true, pairsAtLeast: 0.8, pairLimit: 50)
        #expect(all.total > 50 && some.total == all.total && some.pairs.count == 50 && !some.isComplete)
        #expect(some.pairs == Array(all.pairs.prefix(50)))
        #expect(some.groups == all.groups)
    }

    @Test func againstAnotherSetNamesReferencesAfterTheQueries() throws {
        let (a, _) = clusteredEmbeddings(rows: 300, columns: 8, classes: 2, seed: 1, noise: 0.2)
        let (b, _) = clusteredEmbeddings(rows: 200, columns: 8, classes: 2, seed: 2, noise: 0.2)
        let pairs = NearestNeighbors.similarPairs(queries: a, references: b, normalizing: true, atLeast: 0.95, pairLimit: .max)
        #expect(pairs.pairs.allSatisfy { $0.first < 300 && $0.second >= 300 })
        #expect(Self.bruteForce(a, b, floor: 0.95).isSubset(of: Set(pairs.pairs.map { [$0.first, $0.second] })))
    }
}
