import Foundation
import Testing
@testable import Embeval

/// McNemar's exact test and the paired bootstrap against scipy / numpy (tools/fixtures/compare_stats.py), fed the
/// same resamples numpy drew.
struct PairedComparisonTests {
    struct Stats: Decodable {
        struct McNemar: Decodable { let b: Int; let c: Int; let p_value: Double }
        struct Case: Decodable {
            struct Files: Decodable { let correct: String; let resample: String }
            struct Bootstrap: Decodable { let ci95_pp: [Double]; let sd_pp: Double }
            struct Needed: Decodable { let n_needed: Int? }
            let name: String
            let files: Files
            let observed_delta_pp: Double
            let bootstrap: Bootstrap
            let samples_needed: [String: Needed]
        }
        let mcnemar: [McNemar]
        let bootstrap_cases: [Case]
    }

    static let stats = try! JSONDecoder().decode(Stats.self, from: Data(contentsOf: TestPaths.fixture("compare/stats/stats.json")))

    @Test func mcnemarExactPValuesEqualScipy() {
        for r in Self.stats.mcnemar {
            let test = McNemarTest(baselineOnly: r.b, candidateOnly: r.c)
            #expect(abs(test.pValue - r.p_value) <= 1e-12 * max(1, r.p_value) + 1e-15, "b=\(r.b) c=\(r.c): \(test.pValue) vs \(r.p_value)")
        }
    }

    @Test func pairedBootstrapOnNumpysResamplesEqualsNumpy() throws {
        for c in Self.stats.bootstrap_cases {
            let correct = try NumpyArray.readTensor(at: TestPaths.fixture("compare/stats/\(c.files.correct)"))
            let resample = try NumpyArray.readTensor(at: TestPaths.fixture("compare/stats/\(c.files.resample)"))
            let n = correct.shape[1]
            let baseline = correct.values[0..<n].map { $0 == 1 }, candidate = correct.values[n..<(2 * n)].map { $0 == 1 }
            let indices = (0..<resample.shape[0]).map { b in resample.values[(b * n)..<((b + 1) * n)].map { Int($0) } }
            let boot = try PairedBootstrap(baselineCorrect: baseline, candidateCorrect: candidate, resampleIndices: indices)
            #expect(abs(boot.delta - c.observed_delta_pp) < 1e-9, "\(c.name)")
            #expect(abs(boot.ci95.lower - c.bootstrap.ci95_pp[0]) < 1e-9, "\(c.name)")
            #expect(abs(boot.ci95.upper - c.bootstrap.ci95_pp[1]) < 1e-9, "\(c.name)")
            #expect(abs(boot.standardDeviation - c.bootstrap.sd_pp) < 1e-9, "\(c.name)")
            let mcnemar = McNemarTest(baselineCorrect: baseline, candidateCorrect: candidate)
            #expect(mcnemar.baselineOnly + mcnemar.candidateOnly > 0)
            for (tolerance, needed) in c.samples_needed {
                #expect(Verdict.samplesNeeded(samples: n, delta: boot.delta, standardDeviation: boot.standardDeviation,
                                              tolerance: Double(tolerance)!) == needed.n_needed, "\(c.name) tol \(tolerance)")
            }
        }
    }

    @Test func verdictsFollowTheIntervalAgainstTheBand() {
        #expect(Verdict(ci95: (-0.4, 0.3), tolerance: 0.5) == .pass)
        #expect(Verdict(ci95: (-2.0, -0.6), tolerance: 0.5) == .fail)
        #expect(Verdict(ci95: (0.6, 1.2), tolerance: 0.5) == .fail)
        #expect(Verdict(ci95: (-0.9, 0.1), tolerance: 0.5) == .inconclusive)
        #expect(Verdict.combined([.pass, .inconclusive, .pass]) == .inconclusive)
        #expect(Verdict.combined([.inconclusive, .fail]) == .fail)
        #expect([Verdict.pass, .fail, .inconclusive].map(\.exitCode) == [0, 1, 3])
    }

    @Test func agreementOfIdenticalEmbeddingsIsPerfectAndNoiseLowersIt() throws {
        let (m, labels) = clusteredEmbeddings(rows: 200, columns: 8, classes: 4, seed: 21)
        let ids = (0..<200).map { "img\($0)" }
        let a = try Embeddings(matrix: m, labels: labels, ids: ids, classes: ["a", "b", "c", "d"])
        let same = try EmbeddingAgreement(baseline: a, candidate: a)
        #expect(same.neighbourOverlap == 1 && same.cosines!.min > 0.99999)
        var noisy = m
        for i in 0..<noisy.values.count { noisy.values[i] += Float((i * 7919) % 13) / 13 - 0.5 }
        noisy[5, 0] = -100
        let b = try Embeddings(matrix: noisy, labels: labels, ids: ids, classes: ["a", "b", "c", "d"])
        let damaged = try EmbeddingAgreement(baseline: a, candidate: b)
        #expect(damaged.neighbourOverlap < 0.9)
        #expect(damaged.cosines!.worst[0].id == "img5")
        let shifted = try Embeddings(matrix: m, labels: labels, ids: ids.reversed(), classes: ["a", "b", "c", "d"])
        #expect(throws: MetricError.self) { try EmbeddingAgreement(baseline: a, candidate: shifted) }
    }

    /// `compare --overlap-k` sizes both sides' neighbour lists: past half the memory it is refused before the search,
    /// naming the largest k that fits (30,000 rows at k 29,999 aborted on a failed allocation).
    @Test func overlapListsPastMemoryAreRefused() throws {
        let (m, labels) = clusteredEmbeddings(rows: 200, columns: 8, classes: 4, seed: 21)
        let a = try Embeddings(matrix: m, labels: labels, ids: (0..<200).map { "img\($0)" }, classes: ["a", "b", "c", "d"])
        #expect(throws: MetricError.neighboursPastMemory(option: "--overlap-k", neighbours: 199, points: 200, needed: 1_273_600, available: 1_000_000, most: 78)) {
            try EmbeddingAgreement(baseline: a, candidate: a, k: 500, memoryBytes: 1_000_000)
        }
        #expect(try EmbeddingAgreement(baseline: a, candidate: a, k: 78, memoryBytes: 1_000_000).k == 78)
    }
}
