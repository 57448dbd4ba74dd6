import Foundation
import Testing
@testable import Embeval

@Suite(.serialized) struct CompareCommandTests {
    let dir = TestPaths.scratch("compare")

    func write(_ m: Matrix, _ name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try NumpyArray.write(m, to: url)
        return url.path
    }

    @Test func precomputedSidesGiveAVerdictAndItsExitCode() throws {
        let (m, labels) = clusteredEmbeddings(rows: 400, columns: 8, classes: 4, seed: 31)
        let a = try write(m, "a.npy")
        try NumpyArray.write(labels: labels, to: dir.appendingPathComponent("l.npy"))
        let l = dir.appendingPathComponent("l.npy").path
        // Identical embeddings: every CI is [0, 0] → PASS, exit 0.
        let same = try runEmbeval(["compare", "--baseline-embeddings", a, "--candidate-embeddings", a, "--labels", l,
                                   "--json", dir.appendingPathComponent("same.json").path])
        #expect(same.code == 0, "\(same.err)")
        #expect(same.out.contains("Verdict: PASS"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("same.json"))) as! [String: Any]
        #expect(json["verdict"] as? String == "PASS")
        #expect((json["agreement"] as! [String: Any])["neighbour_overlap_at_k"] as? Double == 1)
        // Noise on every vector: the candidate loses accuracy well beyond 0.5 pp → FAIL, exit 1.
        var g = SeededGenerator(seed: 5)
        var noisy = m
        for i in 0..<noisy.values.count { noisy.values[i] += Float(Double(g.next() % 1000) / 1000 - 0.5) * 6 }
        let b = try write(noisy, "b.npy")
        let worse = try runEmbeval(["compare", "--baseline-embeddings", a, "--candidate-embeddings", b, "--labels", l])
        #expect(worse.code == 1, "\(worse.out)\(worse.err)")
        #expect(worse.out.contains("Verdict: FAIL"))
        let agreementOnly = try runEmbeval(["compare", "--task", "agreement", "--baseline-embeddings", a, "--candidate-embeddings", b])
        #expect(agreementOnly.code == 0, "\(agreementOnly.err)")
        #expect(agreementOnly.out.contains("neighbour overlap@10"))
    }

    @Test(arguments: [
        (["--tolerance", "0"], "--tolerance must be > 0, got 0.0"),
        (["--candidate-embeddings", "SHORT"], "have 300 rows but the samples are 400"),
        (["--bootstrap", "10"], "--bootstrap must be 100…1000000, got 10"),
    ])
    func badCompareInputIsOneLineAndExitCode2(extra: [String], message: String) throws {
        let (m, labels) = clusteredEmbeddings(rows: 400, columns: 8, classes: 4, seed: 32)
        let a = try write(m, "a.npy")
        let short = try write(m.selectingRows(Array(0..<300)), "short.npy")
        try NumpyArray.write(labels: labels, to: dir.appendingPathComponent("l.npy"))
        var arguments = ["compare", "--baseline-embeddings", a, "--labels", dir.appendingPathComponent("l.npy").path]
        if !extra.contains("--candidate-embeddings") { arguments += ["--candidate-embeddings", a] }
        let r = try runEmbeval(arguments + extra.map { $0 == "SHORT" ? short : $0 })
        #expect(r.code == 2)
        #expect(r.err.contains(message), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
    }

    /// A set whose ids.txt lists one id twice (the second row is then another sample's) was paired silently when it
    /// was the baseline: its ids were all the candidate's, so it was used unaligned and unchecked, and one candidate
    /// row stood beside two baseline rows. Refused on either side, for every task, naming the id.
    @Test(arguments: ["knn", "agreement"])
    func anIdListedTwiceIsRefusedOnEitherSide(task: String) throws {
        let set = dir.appendingPathComponent("set-\(task)"), twice = dir.appendingPathComponent("twice-\(task)")
        let e = try runEmbeval(["embed", "-m", "pixels", "--image-size", "4", "--dataset", "fashion-mnist", "--samples", "200", "--output", set.path])
        #expect(e.code == 0, "\(e.err)")
        try FileManager.default.copyItem(at: set, to: twice)
        let idsFile = twice.appendingPathComponent("ids.txt")
        var ids = try String(contentsOf: idsFile, encoding: .utf8).components(separatedBy: "\n")
        ids[1] = ids[0]
        try ids.joined(separator: "\n").write(to: idsFile, atomically: true, encoding: .utf8)
        for (baseline, candidate) in [(twice, set), (set, twice)] {
            let r = try runEmbeval(["compare", "--task", task, "--baseline-embeddings", baseline.path, "--candidate-embeddings", candidate.path])
            #expect(r.code == 2 && r.err.contains("sample id '\(ids[0])' appears twice") && r.err.split(separator: "\n").count == 1,
                    "\(baseline.lastPathComponent): \(r.code) \(r.err)")
        }
    }

    @Test func embeddingsFromAnotherClassListAreRefused() throws {
        let out = dir.appendingPathComponent("emb")
        let e = try runEmbeval(["embed", "-m", TestPaths.fixture("models/vit-tiny").path, "--dataset", TestPaths.fixture("models/images").path, "--output", out.path])
        #expect(e.code == 0, "\(e.err)")
        let r = try runEmbeval(["compare", "--baseline-embeddings", out.appendingPathComponent("embeddings.npy").path,
                                "--candidate", TestPaths.fixture("models/vit-tiny").path, "--dataset", TestPaths.fixture("twotower/images").path])
        #expect(r.code == 2)
        #expect(r.err.contains("the two sides disagree on the classes"), "\(r.err)")
    }

    /// A side without ids.txt pairs with the other by position. Its row numbers were matched against the other side's
    /// ids instead (ids 250…749 against rows 0…499: row 0 paired with row 250, and a PASS on different samples).
    /// Rows paired alike must carry the same labels: a side whose labels disagree is not the same samples.
    @Test func aSideWithoutIdsPairsByPosition() throws {
        let (m, labels) = clusteredEmbeddings(rows: 500, columns: 8, classes: 4, seed: 12)
        for side in ["named", "bare"] {
            let folder = dir.appendingPathComponent(side)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try NumpyArray.write(m, to: folder.appendingPathComponent("embeddings.npy"))
            try NumpyArray.write(labels: labels, to: folder.appendingPathComponent("labels.npy"))
        }
        try (250..<750).map(String.init).joined(separator: "\n").write(to: dir.appendingPathComponent("named/ids.txt"), atomically: true, encoding: .utf8)
        let json = dir.appendingPathComponent("positional.json").path
        let r = try runEmbeval(["compare", "--baseline-embeddings", dir.appendingPathComponent("named").path,
                                "--candidate-embeddings", dir.appendingPathComponent("bare").path, "--json", json])
        #expect(r.code == 0 && !r.err.contains("compared on the"), "\(r.err)")
        let report = try ComparisonReport.read(from: URL(fileURLWithPath: json))
        #expect(report.samples == 500 && (report.agreement?.meanCosine ?? 0) > 0.99999, "\(String(describing: report.agreement))")

        var shuffled = labels
        shuffled.swapAt(0, 1)
        if shuffled == labels { shuffled[0] = (labels[0] + 1) % 4 }
        try NumpyArray.write(labels: shuffled, to: dir.appendingPathComponent("bare/labels.npy"))
        let refused = try runEmbeval(["compare", "--baseline-embeddings", dir.appendingPathComponent("named").path,
                                      "--candidate-embeddings", dir.appendingPathComponent("bare").path])
        #expect(refused.code == 2 && refused.err.contains("sample '250': the baseline labels it"), "\(refused.err)")
    }

    /// Both sides train on the same samples: train sets of other sizes or labels are refused (1,000 train rows against
    /// 30 others passed).
    @Test func trainSetsOfTheTwoSidesMustBeTheSameSamples() throws {
        let (m, labels) = clusteredEmbeddings(rows: 200, columns: 8, classes: 4, seed: 3)
        let e = try write(m, "tt-e.npy")
        let l = dir.appendingPathComponent("tt-l.npy")
        try NumpyArray.write(labels: labels, to: l)
        func trainSet(_ name: String, rows: Int, labels trainLabels: [Int]) throws -> String {
            let folder = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try NumpyArray.write(m.selectingRows(Array(0..<rows)), to: folder.appendingPathComponent("embeddings.npy"))
            try NumpyArray.write(labels: trainLabels, to: folder.appendingPathComponent("labels.npy"))
            return folder.path
        }
        let big = try trainSet("tt-big", rows: 200, labels: labels), small = try trainSet("tt-small", rows: 30, labels: Array(labels.prefix(30)))
        var relabelled = labels
        relabelled[7] = (labels[7] + 1) % 4
        let other = try trainSet("tt-other", rows: 200, labels: relabelled)
        let common = ["compare", "--baseline-embeddings", e, "--candidate-embeddings", e, "--labels", l.path, "--protocol", "train-test", "--tolerance", "5"]
        let same = try runEmbeval(common + ["--baseline-train-embeddings", big, "--candidate-train-embeddings", big])
        #expect(same.code == 0, "\(same.err)")
        let fewer = try runEmbeval(common + ["--baseline-train-embeddings", big, "--candidate-train-embeddings", small])
        #expect(fewer.code == 2 && fewer.err.contains("the baseline's train set has 200 rows, the candidate's 30"), "\(fewer.err)")
        let moved = try runEmbeval(common + ["--baseline-train-embeddings", big, "--candidate-train-embeddings", other])
        #expect(moved.code == 2 && moved.err.contains("train row 7"), "\(moved.err)")
    }

    @Test func checkRunsEntriesAndResolvesPathsAgainstTheFile() throws {
        try FileManager.default.copyItem(at: TestPaths.fixture("models/vit-tiny"), to: dir.appendingPathComponent("vit-tiny"))
        let file = dir.appendingPathComponent("expect.json")
        let images = TestPaths.fixture("twotower/images").path
        try """
        [{"model": "vit-tiny", "task": "knn", "dataset": "\(images)", "metric": "top1_accuracy", "k": 5, "expected": 0, "tolerance": 1},
         {"model": "vit-tiny", "task": "knn", "dataset": "\(images)", "metric": "top1_accuracy", "k": 5, "expected": 100, "tolerance": 100}]
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try runEmbeval(["check", file.path])
        #expect(r.code == 1, "\(r.out)\(r.err)")
        #expect(r.out.contains("FAIL") && r.out.contains("PASS"))
        try #"[{"model": "vit-tiny", "task": "knn", "dataset": "x", "metric": "top1_accuracy", "expected": 1}]"#
            .write(to: file, atomically: true, encoding: .utf8)
        let bad = try runEmbeval(["check", file.path])
        #expect(bad.code == 2)
        #expect(bad.err.contains("missing field 'tolerance'"), "\(bad.err)")
    }
}

/// Outputs never overwrite each other or an input: `--json l.npy` replaced the labels with the report, `--json` and
/// `--html` on one file kept the page alone, and a page inside the --plots folder was refused only after the run.
@Test func outputsThatWouldOverwriteAnInputOrEachOtherAreRefused() throws {
    let dir = TestPaths.scratch("output-clash")
    let (m, labels) = clusteredEmbeddings(rows: 60, columns: 4, classes: 3, seed: 2)
    let e = dir.appendingPathComponent("e.npy"), l = dir.appendingPathComponent("l.npy")
    try NumpyArray.write(m, to: e)
    try NumpyArray.write(labels: labels, to: l)
    let labelBytes = try Data(contentsOf: l)
    let plots = dir.appendingPathComponent("plots").path
    try FileManager.default.createDirectory(atPath: plots, withIntermediateDirectories: true)   // empty: a valid --plots target
    let cases: [([String], String)] = [
        (["compare", "--baseline-embeddings", e.path, "--candidate-embeddings", e.path, "--labels", l.path, "--json", l.path],
         "--json '\(l.path)' is the --labels input"),
        (["knn", "--embeddings", e.path, "--labels", l.path, "--json", dir.path + "/./l.npy"], "is the --labels input"),
        (["knn", "--embeddings", e.path, "--labels", l.path, "--json", dir.path + "/same.out", "--html", dir.path + "/same.out"],
         "--json and --html both name"),
        (["compare", "--baseline-embeddings", e.path, "--candidate-embeddings", e.path, "--labels", l.path, "--plots", plots,
          "--html", plots + "/page.html"], "--html '\(plots)/page.html' lies in the --plots folder"),
        (["audit", "--embeddings", e.path, "--labels", l.path, "--json", e.path], "is the --embeddings input"),
        (["eval", "--task", "image-feature-extraction", "--embeddings", e.path, "--labels", l.path, "--json", l.path], "is the --labels input"),
        (["explore", "--embeddings", e.path, "--labels", l.path, "--method", "pca", "--out", dir.path + "/maps", "--json", e.path], "is the --embeddings input"),
    ]
    for (arguments, message) in cases {
        let r = try runEmbeval(arguments)
        #expect(r.code == 2 && r.err.contains(message), "\(arguments[0]): \(r.err)")
    }
    #expect(try Data(contentsOf: l) == labelBytes)
    // A device is written in place, never replaced: both outputs may go to /dev/null.
    let discarded = try runEmbeval(["knn", "--embeddings", e.path, "--labels", l.path, "--json", "/dev/null", "--html", "/dev/null"])
    #expect(discarded.code == 0, "\(discarded.err)")
    let leftInPlots = try FileManager.default.contentsOfDirectory(atPath: plots)
    #expect(!FileManager.default.fileExists(atPath: dir.path + "/same.out") && leftInPlots.isEmpty)
}
