import Foundation
import Testing
@testable import Embeval

/// Reports are Codable: what `--json` writes reads back into the same report (`compare` and `merge` read saved ones).
@Suite struct ReportRoundTripTests {
    let dir = TestPaths.scratch("reports")

    func files(_ name: String, seed: UInt64, noise: Float = 1) throws -> EmbeddingFiles {
        let (m, labels) = clusteredEmbeddings(rows: 240, columns: 6, classes: 4, seed: seed, noise: noise)
        let e = dir.appendingPathComponent("\(name).npy"), l = dir.appendingPathComponent("\(name)-labels.npy")
        try NumpyArray.write(m, to: e)
        try NumpyArray.write(labels: labels, to: l)
        return EmbeddingFiles(embeddings: e, labels: .file(l))
    }

    func roundTrip<R: Report>(_ report: R, _ name: String) throws -> R {
        let path = dir.appendingPathComponent("\(name).json").path
        try report.write(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("{\n  \"schema_version\": 1,"))
        return try R.read(from: URL(fileURLWithPath: path))
    }

    @Test func knnZeroShotComparisonAndExploreReportsReadBack() throws {
        let context = try EvaluationContext()
        let knn = try KNNTask(source: .files(files("a", seed: 1)), settings: KNNSettings(ks: [5, 10])).run(context).report
        let back = try roundTrip(knn, "knn")
        #expect(back.text() == knn.text())
        #expect(back.results.map(\.top1Accuracy) == knn.results.map(\.top1Accuracy))

        let compared = try Comparison.run(baseline: KNNTask(source: .files(files("a", seed: 1)), settings: KNNSettings()),
                                          candidate: KNNTask(source: .files(files("b", seed: 1, noise: 3)), settings: KNNSettings()),
                                          settings: ComparisonSettings(), context: context)
        let comparedBack = try roundTrip(compared, "compare")
        #expect(comparedBack.text() == compared.text())
        #expect(comparedBack.verdict == compared.verdict)
        #expect(comparedBack.metrics.map(\.bootstrap.ci95.lower) == compared.metrics.map(\.bootstrap.ci95.lower))

        let map = try Exploration(source: .files(files("a", seed: 1)), settings: MapSettings(methods: [.pca]))
            .run(into: dir.appendingPathComponent("maps"), context: context)
        #expect(try roundTrip(map, "explore").text() == map.text())
    }

    @Test func aNewerSchemaIsRefused() throws {
        let path = dir.appendingPathComponent("future.json")
        try #"{"schema_version": 99, "task": "check", "verdict": "PASS", "entries": []}"#.write(to: path, atomically: true, encoding: .utf8)
        #expect(throws: EvaluationError.self) { try CheckReport.read(from: path) }
    }
}

/// The text of a report read back equals the original's: timings print from the milliseconds the JSON keeps
/// (0.4049 s is 0.405 there: both print 0.41, where the raw value printed 0.40).
@Test func timingsPrintAsTheyAreKept() throws {
    let timings = Timings([("embedding", 0.4049), ("total", 1.2351)])
    let back = try JSONDecoder().decode(Timings.self, from: JSONEncoder().encode(timings))
    #expect(back.text == timings.text)
    #expect(timings.text == "embedding 0.41s, total 1.24s")
}
