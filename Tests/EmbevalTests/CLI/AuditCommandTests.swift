import Foundation
import Testing
@testable import Embeval

/// `embeval audit` from the command line (issue 14): the demo model over the planted-problem images finds every
/// planted copy, writes the JSON and the CSV lists whole, and refuses bad input in one line.
@Suite(.serialized) struct AuditCommandTests {
    let dir = TestPaths.scratch("audit-cli")
    static let folder = TestPaths.fixture("audit")
    static let model = TestPaths.repository.appendingPathComponent("tools/demo_model/fashion-vit").path

    struct Planted: Decodable {
        struct Copy: Decodable { let id: String; let source_id: String }
        struct Item: Decodable { let id: String }
        let flipped: [Item]
        let exact_copies: [Copy]
        let reencoded: [Copy]
        let near_duplicates: [Copy]
        let out_of_distribution: [Item]
    }

    static func planted() throws -> Planted {
        try JSONDecoder().decode(Planted.self, from: Data(contentsOf: folder.appendingPathComponent("planted.json")))
    }

    @Test func theDemoModelFindsThePlantedCopiesAndFlips() throws {
        let json = dir.appendingPathComponent("audit.json"), lists = dir.appendingPathComponent("lists")
        let r = try runEmbeval(["audit", "-m", Self.model, "--dataset", Self.folder.appendingPathComponent("images").path,
                                "--json", json.path, "--lists", lists.path])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("exact duplicates (identical files)"))
        let report = try AuditReport.read(from: json)
        let planted = try Self.planted()
        let pairs = { (copies: [Planted.Copy]) in Set(copies.map { [$0.source_id, $0.id].sorted() }) }
        let groups = { (kind: String) in Set(report.exactDuplicates.filter { $0.kind == kind }.map { $0.ids.sorted() }) }
        // Byte copies share their file; re-encoded images share their decoded pixels, so their model input.
        #expect(groups("identical_files") == pairs(planted.exact_copies))
        #expect(groups("identical_inputs") == pairs(planted.exact_copies).union(pairs(planted.reencoded)))
        // Every planted copy is in a near-duplicate group but at most one shifted pair.
        let grouped = Set(report.nearDuplicates.flatMap(\.ids))
        let missed = (planted.exact_copies + planted.reencoded + planted.near_duplicates).filter { !grouped.contains($0.id) || !grouped.contains($0.source_id) }
        #expect(missed.count <= 1, "\(missed.map(\.id))")
        let flagged = Set(report.labelIssues?.map(\.id) ?? [])
        #expect(planted.flipped.filter { flagged.contains($0.id) }.count >= 30, "label-error recall on the flips")
        #expect(report.outliers.count == 63 && report.labelIssues?.count == 105)
        #expect(report.parameters.duplicateThresholdRule == "auto")

        // The lists: one CSV per list and a row per sample, with a manifest (written whole).
        let names = try FileManager.default.contentsOfDirectory(atPath: lists.path).sorted()
        #expect(names == (AuditReport.listFiles + ["manifest.json"]).sorted())
        let samples = try String(contentsOf: lists.appendingPathComponent("samples.csv"), encoding: .utf8)
        #expect(samples.split(separator: "\n").count == 1 + report.samples)
        #expect(samples.hasPrefix("id,label,suggested,self_confidence,label_issue,nearest_id"))
        let issues = try String(contentsOf: lists.appendingPathComponent("label_issues.csv"), encoding: .utf8)
        #expect(issues.split(separator: "\n").count == 1 + 105)
    }

    @Test func precomputedEmbeddingsGroupIdenticalRows() throws {
        let e = Self.folder.appendingPathComponent("embeddings")
        let r = try runEmbeval(["audit", "--embeddings", e.appendingPathComponent("embeddings.npy").path,
                                "--labels", e.appendingPathComponent("labels.npy").path, "--duplicate-threshold", "0.999", "--json", "-"])
        #expect(r.code == 0, "\(r.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let exact = try #require(object["exact_duplicates"] as? [[String: Any]])
        #expect(exact.count == 12 && exact.allSatisfy { $0["kind"] as? String == "identical_embeddings" })
        #expect((object["parameters"] as? [String: Any])?["duplicate_threshold"] as? Double == 0.999)
        #expect(object["near_duplicate_pairs"] as? Int == 21)
    }

    @Test func unlabelledEmbeddingsAreAuditedWithoutTheLabelFigures() throws {
        let e = Self.folder.appendingPathComponent("embeddings/embeddings.npy")
        let r = try runEmbeval(["audit", "--embeddings", e.path, "--duplicate-threshold", "0.999", "--json", "-"])
        #expect(r.code == 0, "\(r.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(object["label_issues"] == nil || object["label_issues"] is NSNull)
        #expect((object["classes"] as? [Any])?.isEmpty == true)
        #expect((object["outliers"] as? [Any])?.count == 63 && (object["exact_duplicates"] as? [Any])?.count == 12)
        // Ids come from the ids.txt beside the rows.
        let outliers = try #require(object["outliers"] as? [[String: Any]])
        #expect(outliers.allSatisfy { ($0["id"] as? String)?.hasSuffix(".png") == true })
        let refused = try runEmbeval(["audit", "--labels", Self.folder.appendingPathComponent("embeddings/labels.npy").path])
        #expect(refused.code == 2 && refused.err.contains("--labels and --train-embeddings go with --embeddings"), "\(refused.err)")
    }

    @Test func nearDuplicatesOfTheTrainSetAreListedAsLeaks() throws {
        let e = try Embeddings.load(embeddings: Self.folder.appendingPathComponent("embeddings/embeddings.npy"),
                                    labels: Self.folder.appendingPathComponent("embeddings/labels.npy"))
        let m = e.matrix
        func write(_ rows: Range<Int>, _ name: String) throws -> [String] {
            let x = dir.appendingPathComponent("\(name).npy"), y = dir.appendingPathComponent("\(name)-labels.npy")
            try NumpyArray.write(Matrix(rows: rows.count, columns: m.columns, values: Array(m.values[(rows.lowerBound * m.columns)..<(rows.upperBound * m.columns)])), to: x)
            try NumpyArray.write(labels: Array(e.labels[rows]), to: y)
            return ["\(x.path)", "\(y.path)"]
        }
        let audited = try write(0..<600, "audited"), train = try write(400..<1034, "train")
        let json = dir.appendingPathComponent("leaks.json")
        let r = try runEmbeval(["audit", "--embeddings", audited[0], "--labels", audited[1], "--train-embeddings", train[0],
                                "--train-labels", train[1], "--duplicate-threshold", "0.999", "--json", json.path])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("near duplicates of train samples (leaks)"))
        let report = try AuditReport.read(from: json)
        let leaks = try #require(report.trainLeaks)
        // Rows 400..<600 are in both sets: each leaks with itself (train row i − 400), at cosine 1.
        for i in 400..<600 {
            #expect(leaks.contains { $0.id == String(i) && $0.trainID == String(i - 400) && $0.cosine > 0.9999 }, "row \(i)")
        }
        #expect(report.trainLeakPairs == leaks.count && leaks.allSatisfy { $0.cosine >= 0.999 })
    }

    /// Saved embeddings of Fashion-MNIST's test split audited with `--dataset fashion-mnist --split train --html`
    /// showed train images beside the test samples' ids (the splits share ids). The classes disagree, so the page
    /// has no pictures and says why, and a warning names the sample; the right split gives pictures.
    @Test func thumbnailsFromAnotherSplitThanTheEmbeddingsAreNotShown() throws {
        let set = dir.appendingPathComponent("test-set")
        let e = try runEmbeval(["embed", "-m", "pixels", "--image-size", "4", "--dataset", "fashion-mnist", "--samples", "300", "--output", set.path])
        #expect(e.code == 0, "\(e.err)")
        for (split, matches) in [("train", false), ("test", true)] {
            let page = dir.appendingPathComponent("audit-\(split).html")
            let r = try runEmbeval(["audit", "--embeddings", set.path, "--dataset", "fashion-mnist", "--split", split, "--html", page.path])
            #expect(r.code == 0, "\(r.err)")
            let html = try String(contentsOf: page, encoding: .utf8)
            #expect(r.err.contains("--html: no thumbnails: sample '") == !matches, "\(split): \(r.err)")
            #expect(html.contains("the images given are not the audited samples'") == !matches && html.contains("<img ") == matches, "\(split)")
        }
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let e = Self.folder.appendingPathComponent("embeddings")
        let base = ["audit", "--embeddings", e.appendingPathComponent("embeddings.npy").path, "--labels", e.appendingPathComponent("labels.npy").path]
        for (extra, message) in [(["--duplicate-threshold", "0"], "--duplicate-threshold must be a cosine in (0, 1], got 0.0"),
                                 (["--duplicate-threshold", "1.2"], "--duplicate-threshold must be a cosine in (0, 1], got 1.2"),
                                 (["--duplicate-threshold", "high"], "--duplicate-threshold 'high': expected a cosine in (0, 1] or auto"),
                                 (["-k", "0"], "-k must be ≥ 1, got 0")] {
            let r = try runEmbeval(base + extra)
            #expect(r.code == 2, "\(extra)")
            #expect(r.err.contains(message), "\(extra): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
        // One sample cannot be audited; a list folder over a user's own folder is never replaced.
        let one = dir.appendingPathComponent("one.npy")
        try NumpyArray.write(Matrix(rows: 1, columns: 2, values: [1, 0]), to: one)
        let oneLabel = dir.appendingPathComponent("one-labels.npy")
        try NumpyArray.write(labels: [0], to: oneLabel)
        let r = try runEmbeval(["audit", "--embeddings", one.path, "--labels", oneLabel.path])
        #expect(r.code == 2 && r.err.contains("audit needs at least 2 samples, got 1"), "\(r.err)")
        let mine = dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: mine.appendingPathComponent("notes.txt"))
        let refused = try runEmbeval(base + ["--lists", mine.path])
        #expect(refused.code == 2, "\(refused.err)")
        #expect(try String(contentsOf: mine.appendingPathComponent("notes.txt"), encoding: .utf8) == "keep")
    }
}
