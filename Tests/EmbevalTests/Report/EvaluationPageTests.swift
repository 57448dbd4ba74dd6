import Foundation
import Testing
@testable import Embeval

/// The evaluation pages (issue 16): the confusion matrix's counts, intervals and order; `knn --html` over the demo
/// model's run (every cell with its counts, the confused pairs with thumbnails, recall bars, the k curve), every
/// class name escaped, the page in headless Chromium without a console message, its matrix drawn; `zeroshot --html`
/// with its templates and each class's most confident wrong assignments.
@Suite(.serialized) struct EvaluationPageTests {
    let dir = TestPaths.scratch("knn-page")

    /// The page in headless Chromium: no console message, and its #selftest hover shows the first mark's numbers.
    static func expectCleanInChromium(_ page: URL) throws {
        let chromium = try #require(HeadlessChromium.binary(), Comment(rawValue: HeadlessChromium.missingMessage))
        let result = try HeadlessChromium.run(chromium, ["--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString + "#selftest"],
                                              workDirectory: page.deletingLastPathComponent())
        #expect(ExplorePageFolderBrowserTests.consoleErrors(result.stderr).isEmpty, "\(page.lastPathComponent): \(ExplorePageFolderBrowserTests.consoleErrors(result.stderr))")
        #expect(result.stdout.contains("<pre id=\"selftest\" data-result=\"passed\">"), "\(page.lastPathComponent): \(result.stdout.suffix(400))")
    }

    @Test func theMatrixCountsRecallsAndOrdersTheClasses() throws {
        // Classes 0 and 3 are confused with each other, 1 and 2 with each other.
        let labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0]
        let predictions = [0, 3, 3, 0, 1, 2, 1, 1, 2, 1, 2, 2, 3, 0, 3, 3, 0, 0, 0, 0, 0, 0]
        let m = try ConfusionMatrix(labels: labels, predictions: predictions, classCount: 4)
        #expect(m[0, 3] == 2 && m[3, 0] == 1 && m[1, 2] == 1 && m[2, 1] == 1 && m.support(0) == 10)
        // Wilson's 95 % interval of 8/10: 0.4902 … 0.9433.
        let r = try #require(m.recall(0))
        #expect(abs(r.value - 0.8) < 1e-12 && abs(r.low - 0.4902) < 1e-4 && abs(r.high - 0.9433) < 1e-4)
        #expect(m.mostConfused(2).map { [$0.truth, $0.predicted, $0.count] } == [[0, 3, 2], [1, 2, 1]])
        let order = m.confusionOrder(of: [0, 1, 2, 3])
        #expect(Set(order) == [0, 1, 2, 3])
        let at = { (c: Int) in order.firstIndex(of: c) ?? -9 }
        #expect(abs(at(0) - at(3)) == 1 && abs(at(1) - at(2)) == 1, "\(order)")
        #expect(throws: MetricError.self) { try ConfusionMatrix(labels: [0, 1], predictions: [0, 4], classCount: 4) }
    }

    /// A label of 2²⁰ − 1 makes 2²⁰ classes: the dense matrix took (2²⁰)² counts (8 TB, a failed allocation that
    /// crashed every `--html` page). The matrix now costs its classes and its samples, and the page orders only the
    /// classes it shows.
    @Test func aMillionClassesCostTheirSamplesNotTheirSquare() throws {
        let last = (1 << 20) - 1
        let m = try ConfusionMatrix(labels: [0, last, 5, 5, 5], predictions: [last, last, 5, 0, 0], classCount: 1 << 20)
        #expect(m[0, last] == 1 && m[last, last] == 1 && m[5, 5] == 1 && m[5, 0] == 2 && m[3, 4] == 0)
        #expect(m.support(5) == 3 && m.support(3) == 0 && m.recall(3) == nil)
        #expect(m.mostConfused(5).map { [$0.truth, $0.predicted, $0.count] } == [[5, 0, 2], [0, last, 1]])
        let figures = ReportPage.classFigures(m, names: (0..<(1 << 20)).map { "c\($0)" })
        #expect(figures[0].svg.contains("c5 → c0: 2 of 3") && figures[1].svg.contains("c5: recall 33.33 %"))
        let order = m.confusionOrder(of: [0, 3, 5, last])
        #expect(order == [0, last, 5, 3], "\(order)")
    }

    @Test func theDemoRunsPageExplainsItsAccuracy() throws {
        let page = dir.appendingPathComponent("knn.html"), plots = dir.appendingPathComponent("plots")
        let r = try runEmbeval(["knn", "-m", AuditCommandTests.model, "--dataset", AuditCommandTests.folder.appendingPathComponent("images").path,
                                "--k", "5,10,20", "--pooling", "cls,mean", "--html", page.path, "--plots", plots.path])
        #expect(r.code == 0, "\(r.err)")
        // The same figures as standalone SVG files, written whole with a manifest.
        let names = try FileManager.default.contentsOfDirectory(atPath: plots.path).sorted()
        #expect(names == ["accuracy-vs-k.svg", "confusion-matrix.svg", "manifest.json", "per-class-recall.svg"])
        for name in names where name.hasSuffix(".svg") {
            let svg = try String(contentsOf: plots.appendingPathComponent(name), encoding: .utf8)
            #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ") && svg.hasSuffix("</svg>\n"), "\(name)")
        }
        // A folder of the user's own is never replaced.
        let mine = dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: mine.appendingPathComponent("notes.txt"))
        let refused = try runEmbeval(["knn", "--embeddings", AuditCommandTests.folder.appendingPathComponent("embeddings/embeddings.npy").path,
                                      "--labels", AuditCommandTests.folder.appendingPathComponent("embeddings/labels.npy").path, "--plots", mine.path])
        #expect(refused.code == 2 && refused.err.split(separator: "\n").count == 1, "\(refused.err)")
        #expect(try String(contentsOf: mine.appendingPathComponent("notes.txt"), encoding: .utf8) == "keep")
        let html = try String(contentsOf: page, encoding: .utf8)
        try Self.expectCleanInChromium(page)
        #expect(html.components(separatedBy: "<script").count - 1 == 1, "the page's own tooltip script only")
        // 10 × 10 cells, each titled with its counts; 10 pairs with 4 thumbnails each; 10 recall bars; 2 k curves.
        let heat = try #require(html.firstMatch(of: #/<svg class="figure heatmap".*?</svg>/#.dotMatchesNewlines()))
        #expect(heat.output.components(separatedBy: "<rect ").count - 1 == 100)
        #expect(heat.output.contains("Shirt → Pullover: 11 of 115 (9.6 %)"), "the demo run's largest confusion")
        #expect(html.components(separatedBy: "<img ").count - 1 == 40)
        let recall = try #require(html.firstMatch(of: #/<svg class="figure recall".*?</svg>/#.dotMatchesNewlines()))
        #expect(recall.output.components(separatedBy: "<title>").count - 1 == 10)
        let curve = try #require(html.firstMatch(of: #/<svg class="figure kcurve".*?</svg>/#.dotMatchesNewlines()))
        #expect(curve.output.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(html.contains("<td>86.56</td>") || html.contains(">86.56<"))
    }

    @Test func everyClassNameIsEscapedAndThePageDrawsInChromium() throws {
        // Precomputed rows with hostile class names (classes.txt beside them).
        let (m, labels) = clusteredEmbeddings(rows: 200, columns: 8, classes: 3, seed: 4, noise: 1.2)
        let folder = dir.appendingPathComponent("hostile")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try NumpyArray.write(m, to: folder.appendingPathComponent("e.npy"))
        try NumpyArray.write(labels: labels, to: folder.appendingPathComponent("l.npy"))
        try ["</svg><script>alert(1)</script>", "Bag & <Co>", "a\"b'c"].joined(separator: "\n")
            .write(to: folder.appendingPathComponent("classes.txt"), atomically: true, encoding: .utf8)
        let page = dir.appendingPathComponent("hostile.html")
        let r = try runEmbeval(["knn", "--embeddings", folder.appendingPathComponent("e.npy").path, "--labels",
                                folder.appendingPathComponent("l.npy").path, "--html", page.path])
        #expect(r.code == 0, "\(r.err)")
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(!html.contains("<script>alert") && html.components(separatedBy: "<script>").count - 1 == 1)
        #expect(html.contains("&lt;/svg&gt;&lt;script&gt;") && html.contains("Bag &amp; &lt;Co&gt;"))

        let chromium = try #require(HeadlessChromium.binary(), Comment(rawValue: HeadlessChromium.missingMessage))
        let shot = dir.appendingPathComponent("shot.png")
        let result = try HeadlessChromium.run(chromium, ["--enable-logging=stderr", "--v=0", "--window-size=1200,2400", "--screenshot=" + shot.path, page.absoluteString],
                                              workDirectory: dir)
        #expect(ExplorePageFolderBrowserTests.consoleErrors(result.stderr).isEmpty, "\(ExplorePageFolderBrowserTests.consoleErrors(result.stderr))")
        // Hovering a cell shows its counts (the page's #selftest hovers the first mark: a heat-map cell).
        let hovered = try HeadlessChromium.run(chromium, ["--dump-dom", page.absoluteString + "#selftest"], workDirectory: dir)
        let report = try #require(hovered.stdout.firstMatch(of: #/<pre id="selftest" data-result="(\w+)">([^<]*)</pre>/#), "\(hovered.stdout.suffix(600))")
        #expect(report.output.1 == "passed", "\(report.output.2)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(htmlUnescaped(String(report.output.2)).utf8)) as? [String: Any])
        let tip = try #require(summary["tip"] as? String)
        #expect(tip.contains(" → ") && tip.contains(" of ") && tip.hasSuffix("%)"), "a cell's counts, its class names as text: \(tip)")
        let image = try ImageDecoder.decode(bytes: [UInt8](try Data(contentsOf: shot)))
        // The heat map's diagonal: strongly blue cells (a recall near 1 is drawn rgb(≈0, ≈40, 255)).
        var blue = 0
        for y in 0..<image.height { for x in 0..<image.width {
            let p = pixel(image, x, y)
            if p.b > 240 && p.r < 90 && p.g < 130 { blue += 1 }
        } }
        #expect(blue > 200, "diagonal pixels drawn: \(blue)")
    }

    @Test func theZeroShotPageListsEachClasssMostConfidentMistakes() throws {
        let page = dir.appendingPathComponent("zeroshot.html")
        let clip = TestPaths.repository.appendingPathComponent("tools/demo_model/fashion-clip")
        let r = try runEmbeval(["zeroshot", "-m", "image-encoder=" + clip.appendingPathComponent("image-encoder").path,
                                "-m", "text-encoder=" + clip.appendingPathComponent("text-encoder").path,
                                "--dataset", AuditCommandTests.folder.appendingPathComponent("images").path, "--html", page.path])
        #expect(r.code == 0, "\(r.err)")
        let html = try String(contentsOf: page, encoding: .utf8)
        try Self.expectCleanInChromium(page)
        #expect(html.components(separatedBy: "<script").count - 1 == 1 && html.contains("<code>This is a photo of {}.</code>"))
        let heat = try #require(html.firstMatch(of: #/<svg class="figure heatmap".*?</svg>/#.dotMatchesNewlines()))
        #expect(heat.output.components(separatedBy: "<rect ").count - 1 == 100)
        let wrong = try #require(html.firstMatch(of: #/Images most confidently assigned to the wrong class</h2>\n(.*?)</table>/#.dotMatchesNewlines()))
        let rows = wrong.output.1.components(separatedBy: "<tr><td>").dropFirst()
        #expect(rows.count == 10)
        for row in rows {
            // At most four examples, each with a thumbnail, by cosine descending.
            let scores = row.matches(of: #/ (\d\.\d{3})</figcaption>/#).compactMap { Double($0.output.1) }
            #expect((1...4).contains(scores.count) && scores == scores.sorted(by: >), "\(scores)")
            #expect(row.components(separatedBy: "<img ").count - 1 == scores.count)
        }
    }

    @Test func theComparePageShowsTheDeltasBehindTheVerdict() throws {
        let page = dir.appendingPathComponent("compare.html"), json = dir.appendingPathComponent("compare.json")
        let demo = TestPaths.repository.appendingPathComponent("tools/demo_model")
        let r = try runEmbeval(["compare", "--baseline", demo.appendingPathComponent("fashion-vit").path,
                                "--candidate", demo.appendingPathComponent("fashion-vit-int8").path,
                                "--dataset", AuditCommandTests.folder.appendingPathComponent("images").path, "--html", page.path, "--json", json.path])
        // The verdict itself depends on the machine: ONNX Runtime's int8 kernels round differently with and without
        // AVX-512 VNNI, which moves a few of the 1,034 neighbours (PASS on one machine, INCONCLUSIVE on another).
        // The page must show whichever it is, and the exit code must say it.
        let report = try ComparisonReport.read(from: json)
        #expect(r.code == (report.verdict ?? .pass).exitCode, "\(r.err)")
        #expect(r.err.isEmpty, "\(r.err)")
        let perClass = try #require(report.perClass)
        #expect(perClass.count == 10 && perClass.reduce(0) { $0 + $1.samples } == 1034)
        #expect(perClass.allSatisfy { abs($0.delta - ($0.candidate - $0.baseline)) < 1e-9 })
        let html = try String(contentsOf: page, encoding: .utf8)
        try Self.expectCleanInChromium(page)
        #expect(html.components(separatedBy: "<script").count - 1 == 1 && html.contains("Verdict: \(report.verdict?.rawValue ?? "")"))
        let forest = try #require(html.firstMatch(of: #/<svg class="figure forest".*?</svg>/#.dotMatchesNewlines()))
        #expect(forest.output.components(separatedBy: "<circle").count - 1 == report.metrics.count)
        let deltas = try #require(html.firstMatch(of: #/<svg class="figure deltas".*?</svg>/#.dotMatchesNewlines()))
        #expect(deltas.output.components(separatedBy: "<rect").count - 1 == 10)
        // The least-alike samples, each with its thumbnail from --dataset.
        let worst = try #require(report.agreement?.worstIds.prefix(ComparePage.sampleLimit))
        #expect(html.contains(">\(worst[worst.startIndex].id)<"))
        // Each with its three nearest other samples in both spaces (thumbnails), never itself.
        #expect(worst.allSatisfy { $0.baselineNeighbours?.count == 3 && $0.candidateNeighbours?.count == 3 })
        #expect(worst.allSatisfy { !($0.baselineNeighbours ?? []).contains($0.id) && !($0.candidateNeighbours ?? []).contains($0.id) })
        #expect(html.components(separatedBy: "<img ").count - 1 == worst.count * 7)
    }

    @Test func theCheckPageIsWrittenEvenWhenAnExpectationFails() throws {
        try? FileManager.default.copyItem(at: TestPaths.fixture("models/vit-tiny"), to: dir.appendingPathComponent("vit-tiny"))
        let file = dir.appendingPathComponent("expect.json"), page = dir.appendingPathComponent("check.html")
        let images = TestPaths.fixture("twotower/images").path
        try """
        [{"model": "vit-tiny", "task": "knn", "dataset": "\(images)", "metric": "top1_accuracy", "k": 5, "expected": 0, "tolerance": 1},
         {"model": "vit-tiny", "task": "knn", "dataset": "\(images)", "metric": "top1_accuracy", "k": 5, "expected": 100, "tolerance": 100}]
        """.write(to: file, atomically: true, encoding: .utf8)
        let r = try runEmbeval(["check", file.path, "--bootstrap", "200", "--html", page.path])
        #expect(r.code == 1, "\(r.err)")
        let html = try String(contentsOf: page, encoding: .utf8)
        try Self.expectCleanInChromium(page)
        #expect(html.contains("Verdict: FAIL"))
        let forest = try #require(html.firstMatch(of: #/<svg class="figure forest".*?</svg>/#.dotMatchesNewlines()))
        #expect(forest.output.components(separatedBy: "<circle").count - 1 == 2)
        #expect(forest.output.contains(">FAIL</text>") && forest.output.contains(">PASS</text>"))
    }

    @Test func theLinearPageShowsTheSweepBehindC() throws {
        let e = try Embeddings.load(embeddings: AuditCommandTests.folder.appendingPathComponent("embeddings/embeddings.npy"),
                                    labels: AuditCommandTests.folder.appendingPathComponent("embeddings/labels.npy"))
        var generator = SeededGenerator(seed: 3)
        let order = generator.permutation(e.count)
        func write(_ rows: [Int], _ name: String) throws -> (String, String) {
            let x = dir.appendingPathComponent("\(name).npy"), y = dir.appendingPathComponent("\(name)-labels.npy")
            try NumpyArray.write(e.matrix.selectingRows(rows), to: x)
            try NumpyArray.write(labels: rows.map { e.labels[$0] }, to: y)
            return (x.path, y.path)
        }
        let train = try write(Array(order.prefix(400)), "train"), test = try write(Array(order.suffix(300)), "test")
        let page = dir.appendingPathComponent("linear.html"), plots = dir.appendingPathComponent("linear-plots")
        let r = try runEmbeval(["linear", "--embeddings", test.0, "--labels", test.1, "--train-embeddings", train.0, "--train-labels", train.1,
                                "--html", page.path, "--plots", plots.path])
        #expect(r.code == 0, "\(r.err)")
        let html = try String(contentsOf: page, encoding: .utf8)
        try Self.expectCleanInChromium(page)
        let curve = try #require(html.firstMatch(of: #/<svg class="figure kcurve".*?</svg>/#.dotMatchesNewlines()))
        #expect(curve.output.components(separatedBy: "<circle").count - 1 == 45, "one point per C of the grid")
        #expect(curve.output.contains(">1e-6<") && curve.output.contains(">1e4<"))
        let heat = try #require(html.firstMatch(of: #/<svg class="figure heatmap".*?</svg>/#.dotMatchesNewlines()))
        #expect(heat.output.components(separatedBy: "<rect ").count - 1 == 100)
        #expect(try FileManager.default.contentsOfDirectory(atPath: plots.path).sorted()
                == ["confusion-matrix.svg", "manifest.json", "per-class-recall.svg", "validation-curve.svg"])
    }

    @Test func theClusterPageShowsWhereEachClassWent() throws {
        let e = AuditCommandTests.folder.appendingPathComponent("embeddings")
        let page = dir.appendingPathComponent("cluster.html"), json = dir.appendingPathComponent("cluster.json")
        let r = try runEmbeval(["cluster", "--embeddings", e.appendingPathComponent("embeddings.npy").path, "--labels",
                                e.appendingPathComponent("labels.npy").path, "--html", page.path, "--json", json.path])
        #expect(r.code == 0, "\(r.err)")
        let html = try String(contentsOf: page, encoding: .utf8)
        try Self.expectCleanInChromium(page)
        let heat = try #require(html.firstMatch(of: #/<svg class="figure heatmap".*?</svg>/#.dotMatchesNewlines()))
        #expect(heat.output.components(separatedBy: "<rect ").count - 1 == 100)
        // Every sample is in one cell: the row totals in the tips add up to the samples.
        let totals = heat.output.matches(of: #/<title>[^<]* of (\d+) \(/#).map { Int($0.output.1) ?? 0 }
        #expect(totals.count == 100 && totals.reduce(0, +) == 10 * 1034)
        // The clusters table: one row per cluster, sizes summing to the samples.
        let clusters = try #require(html.firstMatch(of: #/<h2>Clusters</h2>\n(.*?)</table>/#.dotMatchesNewlines()))
        let sizes = clusters.output.1.matches(of: #/<tr><td>\d+</td><td class="num">(\d+)</td>/#).map { Int($0.output.1) ?? 0 }
        #expect(sizes.count == 10 && sizes.reduce(0, +) == 1034)
    }

    @Test func theRetrievalPageShowsRecallAgainstK() throws {
        let e = AuditCommandTests.folder.appendingPathComponent("embeddings")
        let page = dir.appendingPathComponent("retrieval.html"), json = dir.appendingPathComponent("retrieval.json")
        let r = try runEmbeval(["retrieval", "--embeddings", e.appendingPathComponent("embeddings.npy").path, "--labels",
                                e.appendingPathComponent("labels.npy").path, "--html", page.path, "--json", json.path])
        #expect(r.code == 0, "\(r.err)")
        let report = try RetrievalReport.read(from: json)
        let html = try String(contentsOf: page, encoding: .utf8)
        try Self.expectCleanInChromium(page)
        let curve = try #require(html.firstMatch(of: #/<svg class="figure kcurve".*?</svg>/#.dotMatchesNewlines()))
        let recalls = try #require(report.results.first?.recallAtK)
        #expect(curve.output.components(separatedBy: "<circle").count - 1 == recalls.count)
        for (k, recall) in recalls { #expect(html.contains(String(format: "R@%d: %.2f %%", k, recall)), "R@\(k)") }
    }

    @Test func theAuditPageShowsEachCandidateBesideItsNeighbours() throws {
        let page = dir.appendingPathComponent("audit.html"), json = dir.appendingPathComponent("audit.json")
        let r = try runEmbeval(["audit", "-m", AuditCommandTests.model, "--dataset", AuditCommandTests.folder.appendingPathComponent("images").path,
                                "--html", page.path, "--json", json.path])
        #expect(r.code == 0, "\(r.err)")
        let report = try AuditReport.read(from: json)
        let html = try String(contentsOf: page, encoding: .utf8)
        try Self.expectCleanInChromium(page)
        // 30 of the 105 candidates, each with its thumbnail and its 5 nearest neighbours'.
        let section = try #require(html.firstMatch(of: #/<h2>Label-error candidates</h2>\n(.*?)</table>/#.dotMatchesNewlines()))
        let rows = section.output.1.components(separatedBy: "<tr><td>").dropFirst()
        #expect(rows.count == AuditPage.shown)
        #expect(rows.allSatisfy { $0.components(separatedBy: "<img ").count - 1 == 1 + AuditPage.neighboursShown })
        #expect(html.contains("The first 30 of 105"))
        // The planted byte copies: every identical-files group listed with both pictures.
        let groups = try #require(html.firstMatch(of: #/<h2>Duplicate groups</h2>\n(.*?)</table>/#.dotMatchesNewlines()))
        let identical = groups.output.1.components(separatedBy: "<tr><td>").filter { $0.hasPrefix("exact (identical files)") }
        #expect(identical.count == report.exactDuplicates.filter { $0.kind == "identical_files" }.count && identical.count == 6)
        #expect(identical.allSatisfy { $0.components(separatedBy: "<img ").count - 1 == 2 })
    }
}
