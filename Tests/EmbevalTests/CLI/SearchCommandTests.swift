import Foundation
import Testing
@testable import Embeval

/// `embeval search` (issue 14): image queries embedded by Embeval find the rows Python's onnxruntime made of the
/// same images; hits are the brute-force cosine top-k; text queries go through the two-tower text tower; the page
/// holds every thumbnail and escapes every text; bad input is one line.
@Suite(.serialized) struct SearchCommandTests {
    let dir = TestPaths.scratch("search-cli")
    static let audit = TestPaths.fixture("audit")
    static let index = audit.appendingPathComponent("embeddings")
    static let model = TestPaths.repository.appendingPathComponent("tools/demo_model/fashion-vit").path
    static let twoTower = TestPaths.fixture("twotower")

    /// The brute-force top-k of `query` over `rows` (cosine in Double), ties by the smaller row.
    static func bruteForce(_ query: [Float], _ rows: Matrix, k: Int) -> [(row: Int, score: Double)] {
        func norm(_ v: ArraySlice<Float>) -> Double { v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let q = norm(query[...])
        let scores = (0..<rows.rows).map { r -> (row: Int, score: Double) in
            let row = rows.values[(r * rows.columns)..<((r + 1) * rows.columns)]
            let dot = zip(row, query).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            return (r, dot / (norm(row) * q))
        }
        return Array(scores.sorted { ($0.score, -$0.row) > ($1.score, -$1.row) }.prefix(k))
    }

    /// Hits equal the brute force: the same score at every rank, and the same row wherever no tie makes the order
    /// arbitrary.
    static func expectHits(_ hits: [SearchReport.Hit], equal expected: [(row: Int, score: Double)], ids: [String]) {
        #expect(hits.count == expected.count)
        for (r, (hit, want)) in zip(hits, expected).enumerated() {
            #expect(hit.rank == r + 1)
            #expect(abs(hit.score - want.score) < 1e-5, "rank \(r + 1): \(hit.score) vs \(want.score)")
            let tied = expected.contains { $0.row != want.row && abs($0.score - want.score) < 1e-6 }
            if !tied { #expect(hit.id == ids[want.row], "rank \(r + 1)") }
        }
    }

    @Test func imageQueriesFindTheRowsPythonMadeOfTheSameImages() throws {
        // The index: the demo model's embeddings made by Python onnxruntime over the fixture images (tools/fixtures).
        let ids = try #require(Embeddings.readLines(Self.index.appendingPathComponent("ids.txt")))
        let picked = [0, 17, 400, 1033].map { ids[$0] }
        let json = dir.appendingPathComponent("images.json"), page = dir.appendingPathComponent("images.html")
        let images = Self.audit.appendingPathComponent("images")
        let r = try runEmbeval(["search", "--index", Self.index.path, "-m", Self.model, "-k", "5", "--json", json.path, "--html", page.path,
                                "--dataset", images.path] + picked.flatMap { ["--query", images.appendingPathComponent($0).path] })
        #expect(r.code == 0, "\(r.err)")
        let report = try SearchReport.read(from: json)
        #expect(report.queryKind == "image" && report.k == 5 && report.results.count == 4)
        #expect(report.index.rows == 1034 && report.index.dimension == 96)
        for (result, id) in zip(report.results, picked) {
            #expect(result.query.hasSuffix(id))
            let top = try #require(result.hits.first)
            // The same image embedded by Embeval and by Python: cosine 1, or a byte copy of it listed first.
            #expect(top.score > 0.9999, "\(id): \(top)")
            #expect(result.hits.prefix(2).contains { $0.id == id }, "\(id): \(result.hits.map(\.id))")
            #expect(result.hits.allSatisfy { $0.label != nil })
        }
        #expect(r.out.contains("Query: ") && r.out.contains("ms per query"))
        // The page: the 4 queries' and their 20 hits' thumbnails, inline.
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.components(separatedBy: "<img ").count - 1 == 4 + 20)
        #expect(!html.contains("no image"))
    }

    @Test func hitsAreTheBruteForceCosineTopK() throws {
        let e = try Embeddings.load(embeddings: Self.index.appendingPathComponent("embeddings.npy"),
                                    labels: Self.index.appendingPathComponent("labels.npy"))
        let m = e.matrix
        let ids = try #require(Embeddings.readLines(Self.index.appendingPathComponent("ids.txt")))
        // 40 query rows, scaled and perturbed so that normalisation matters, with ids of their own.
        var generator = SeededGenerator(seed: 5)
        let rows = (0..<40).map { _ in Int(generator.next() % UInt64(m.rows)) }
        var values = [Float]()
        for (i, row) in rows.enumerated() {
            values += m.row(row).enumerated().map { j, v in Float(i + 1) * (v + (j % 7 == 0 ? 0.05 : 0)) }
        }
        let queries = Matrix(rows: 40, columns: m.columns, values: values)
        let folder = dir.appendingPathComponent("queries")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try NumpyArray.write(queries, to: folder.appendingPathComponent("q.npy"))
        try (0..<40).map { "query-\($0)" }.joined(separator: "\n").write(to: folder.appendingPathComponent("ids.txt"), atomically: true, encoding: .utf8)
        let json = dir.appendingPathComponent("rows.json")
        let r = try runEmbeval(["search", "--index", Self.index.path, "--query-embeddings", folder.appendingPathComponent("q.npy").path,
                                "-k", "10", "--json", json.path])
        #expect(r.code == 0, "\(r.err)")
        let report = try SearchReport.read(from: json)
        #expect(report.queryKind == "embedding" && report.results.map(\.query) == (0..<40).map { "query-\($0)" })
        for (q, result) in report.results.enumerated() {
            Self.expectHits(result.hits, equal: Self.bruteForce(queries.row(q), m, k: 10), ids: ids)
        }
        #expect(report.millisecondsPerQuery > 0)
        // More hits than rows: all of them, with a warning.
        let all = try runEmbeval(["search", "--index", Self.index.path, "--query-embeddings", folder.appendingPathComponent("q.npy").path,
                                  "-k", "5000", "--json", "-"])
        #expect(all.code == 0 && all.err.contains("-k 5000 is more than the index's 1034 rows"), "\(all.err)")
        // An all-zero query has no direction: its hits are listed, with a warning that they are in no order.
        var zeroed = queries
        for j in 0..<zeroed.columns { zeroed[3, j] = 0 }
        try NumpyArray.write(zeroed, to: folder.appendingPathComponent("q.npy"))
        let zero = try runEmbeval(["search", "--index", Self.index.path, "--query-embeddings", folder.appendingPathComponent("q.npy").path,
                                   "-k", "3", "--json", "-"])
        #expect(zero.code == 0 && zero.err.contains("1 query is all zeros (first: 'query-3')"), "\(zero.err)")
    }

    /// The raw-pixel baseline names its sets "pixels" in the index and in the queries alike: no false warning that
    /// the two were made with other poolings.
    @Test func pixelQueriesOnAPixelIndexGetNoPoolingWarning() throws {
        let images = Self.audit.appendingPathComponent("images"), index = dir.appendingPathComponent("pixel-index")
        let embed = try runEmbeval(["embed", "-m", "pixels", "--image-size", "8", "--dataset", images.path, "--samples", "40",
                                    "--output", index.path])
        #expect(embed.code == 0, "\(embed.err)")
        let ids = try #require(Embeddings.readLines(index.appendingPathComponent("ids.txt")))
        let r = try runEmbeval(["search", "--index", index.path, "-m", "pixels", "--image-size", "8", "-k", "2", "--json", "-",
                                "--dataset", images.path, "--query", images.appendingPathComponent(ids[0]).path])
        #expect(r.code == 0 && !r.err.contains("the index holds"), "\(r.err)")
    }

    @Test func textQueriesGoThroughTheTextTower() throws {
        let clip = Self.twoTower.appendingPathComponent("clip")
        let index = dir.appendingPathComponent("clip-index")
        let images = Self.twoTower.appendingPathComponent("images")
        let made = try runEmbeval(["embed", "-m", clip.appendingPathComponent("image-encoder").path, "--pooling", "output:image_embeds",
                                   "--dataset", images.path, "--output", index.path])
        #expect(made.code == 0, "\(made.err)")
        let texts = ["This is a photo of circle.", "stripes", "crème brûlée, naïve café"]
        let list = dir.appendingPathComponent("texts.txt")
        try (texts.dropFirst().joined(separator: "\n") + "\n\n").write(to: list, atomically: true, encoding: .utf8)
        let json = dir.appendingPathComponent("texts.json"), page = dir.appendingPathComponent("texts.html")
        let roles = ["-m", "image-encoder=" + clip.appendingPathComponent("image-encoder").path,
                     "-m", "text-encoder=" + clip.appendingPathComponent("text-encoder").path]
        let r = try runEmbeval(["search", "--index", index.path, "--text", texts[0], "--text-list", list.path, "-k", "7",
                                "--json", json.path, "--html", page.path] + roles)
        #expect(r.code == 0, "\(r.err)")
        let report = try SearchReport.read(from: json)
        #expect(report.queryKind == "text" && report.results.map(\.query) == texts)
        #expect(report.index.pooling == "output:image_embeds")
        // The expected hits: the text tower's embeddings (equal to transformers', TwoTowerModelTests) against the rows.
        let model = try TwoTowerSpec(arguments: Array(roles.enumerated().filter { $0.offset % 2 == 1 }.map(\.element))).load()
        let textRows = try model.text.embed(texts)
        let stored = try EmbeddingFiles(embeddings: index, labels: .stored).load()
        for (q, result) in report.results.enumerated() {
            Self.expectHits(result.hits, equal: Self.bruteForce(textRows.row(q), stored.matrix, k: 7), ids: stored.ids)
        }
        // The page: thumbnails of the hits from the dataset the index's manifest names; texts escaped.
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.components(separatedBy: "<img ").count - 1 == 3 * 7)
        #expect(html.contains("crème brûlée, naïve café"))
    }

    @Test func anIndexOfSeveralPoolingsIsSearchedInTheOneAsked() throws {
        let images = Self.audit.appendingPathComponent("images")
        let index = dir.appendingPathComponent("two-poolings")
        let made = try runEmbeval(["embed", "-m", Self.model, "--pooling", "cls,mean", "--dataset", images.path, "--samples", "60",
                                   "--output", index.path])
        #expect(made.code == 0, "\(made.err)")
        let ids = try #require(Embeddings.readLines(index.appendingPathComponent("mean/ids.txt")))
        let query = ["--query", images.appendingPathComponent(ids[7]).path, "-m", Self.model]
        let refused = try runEmbeval(["search", "--index", index.path] + query)
        #expect(refused.code == 2 && refused.err.contains("one of the index's poolings: cls, mean"), "\(refused.err)")
        // --pooling picks the set and the queries' pooling alike: the image finds itself.
        let r = try runEmbeval(["search", "--index", index.path, "--pooling", "mean", "-k", "3", "--json", "-"] + query)
        #expect(r.code == 0, "\(r.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let hits = try #require(((object["results"] as? [[String: Any]])?.first?["hits"]) as? [[String: Any]])
        #expect(hits.first?["id"] as? String == ids[7] && (hits.first?["score"] as? Double ?? 0) > 0.9999, "\(hits)")
        #expect((object["index"] as? [String: Any])?["pooling"] as? String == "mean")
    }

    /// Thumbnails come from --dataset by id; Fashion-MNIST's train and test splits share ids ("17"), so an index of
    /// test searched with `--dataset fashion-mnist --split train` showed other images beside the hits, unwarned. A
    /// hit whose class the dataset gives otherwise shows the dataset is not the index's: no hit gets a picture, and
    /// the page says why.
    @Test func thumbnailsFromAnotherDatasetThanTheIndexsAreNotShown() throws {
        var test = try DatasetSpec.load("fashion-mnist", split: "test"), train = try DatasetSpec.load("fashion-mnist", split: "train")
        test.samples = Array(test.samples.prefix(40))
        train.samples = Array(train.samples.prefix(40))
        let differing = try #require(test.samples.first { sample in train.samples.first { $0.id == sample.id }?.label != sample.label })
        let hit = SearchReport.Hit(rank: 1, id: differing.id, score: 0.9, label: test.classes[differing.label])
        let report = SearchReport(index: .init(path: "index", rows: 40, dimension: 2, pooling: nil, model: "pixels", dataset: "fashion-mnist", split: "test"),
                                  queryKind: "image", k: 1, results: [.init(query: "q.png", hits: [hit])], timings: Timings([("search", 0.001)]))
        let wrong = SearchPage.make(report: report, queryFiles: nil, images: train)
        #expect(wrong.hitThumbnails.isEmpty && wrong.imagesMismatch?.contains("sample '\(differing.id)'") == true, "\(String(describing: wrong.imagesMismatch))")
        #expect(wrong.html().contains("not the images the index was made of"))
        let right = SearchPage.make(report: report, queryFiles: nil, images: test)
        #expect(right.hitThumbnails.count == 1 && right.imagesMismatch == nil)
    }

    @Test func thePageEscapesEveryTextAndId() throws {
        let hostile = "<script>alert('x')</script>&\"quoted\""
        let hit = SearchReport.Hit(rank: 1, id: hostile + ".png", score: 0.5, label: hostile)
        let report = SearchReport(index: .init(path: hostile, rows: 1, dimension: 2, pooling: nil, model: hostile, dataset: nil, split: nil),
                                  queryKind: "text", k: 1, results: [.init(query: hostile, hits: [hit])], timings: Timings([("search", 0.001)]))
        let html = SearchPage(report: report).html()
        #expect(!html.contains("<script>"))
        #expect(html.components(separatedBy: "&lt;script&gt;").count - 1 == 5, "path, model, query, id, class")
        #expect(html.contains("no image"))
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        // An index without ids; queries of another width; a multi-pooling index without --pooling.
        let bare = dir.appendingPathComponent("bare")
        try FileManager.default.createDirectory(at: bare, withIntermediateDirectories: true)
        try NumpyArray.write(Matrix(rows: 3, columns: 4, values: (0..<12).map(Float.init)), to: bare.appendingPathComponent("e.npy"))
        let narrow = dir.appendingPathComponent("narrow.npy")
        try NumpyArray.write(Matrix(rows: 2, columns: 5, values: (0..<10).map(Float.init)), to: narrow)
        let nonFinite = dir.appendingPathComponent("nan.npy")
        try NumpyArray.write(Matrix(rows: 1, columns: 96, values: [Float.nan] + [Float](repeating: 1, count: 95)), to: nonFinite)
        let index = Self.index.path
        let cases: [([String], String)] = [
            (["--index", bare.appendingPathComponent("e.npy").path, "--query-embeddings", narrow.path], "ids.txt': no such file: search names its results by id"),
            (["--index", index, "--query-embeddings", narrow.path], "the query embeddings gives 5-dimensional embeddings but the index"),
            (["--index", index, "--query-embeddings", nonFinite.path], "hold NaN or Inf"),
            (["--index", index, "--query-embeddings", narrow.path, "-k", "0"], "-k must be at least 1, got 0"),
            (["--index", index], "give one kind of query"),
            (["--index", index, "--text", "a", "--query", "b.png"], "give one kind of query"),
            (["--query", "b.png"], "--index is required"),
            (["--index", index, "--query", "b.png"], "image queries need -m MODEL"),
            (["--index", index, "--text", "a shoe", "-m", Self.model], "has no text tower"),
            (["--index", index, "--query", dir.appendingPathComponent("missing.png").path, "-m", Self.model], "missing.png"),
            (["--index", dir.appendingPathComponent("nowhere").path, "--query-embeddings", narrow.path], "nowhere': no such file"),
            (["--index", index, "--query-embeddings", narrow.path, "--html", dir.appendingPathComponent("no/page.html").path], "does not exist"),
        ]
        for (arguments, message) in cases {
            let r = try runEmbeval(["search"] + arguments)
            #expect(r.code == 2, "\(arguments): \(r.err)")
            #expect(r.err.contains(message), "\(arguments): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(arguments): \(r.err)")
        }
    }
}

/// Every query's hits are held in the report (about 1.6 KB a hit written as JSON: 200 queries at -k 50,000 peaked at
/// 15.7 GB): queries × k past half the memory are refused before the search, naming the largest -k that fits
/// (20,000 queries at -k 50,000 aborted on a 4 GB allocation).
@Test func searchHitsPastMemoryAreRefusedBeforeTheSearch() throws {
    let dir = TestPaths.scratch("search-memory")
    let (m, _) = clusteredEmbeddings(rows: 300, columns: 4, classes: 3, seed: 4)
    try NumpyArray.write(m, to: dir.appendingPathComponent("index.npy"))
    try (0..<300).map { "r\($0)" }.joined(separator: "\n").write(to: dir.appendingPathComponent("ids.txt"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("q"), withIntermediateDirectories: true)
    try NumpyArray.write(m.selectingRows(Array(0..<50)), to: dir.appendingPathComponent("q/q.npy"))
    let index = try SearchIndex(paths: [dir.appendingPathComponent("index.npy")])
    var task = try SearchTask(index: index, queries: .embeddings(EmbeddingFiles(embeddings: dir.appendingPathComponent("q/q.npy"), labels: .none)),
                              model: nil, k: 300)
    task.memoryBytes = 20_000_000
    #expect(throws: MetricError.neighboursPastMemory(option: "-k", neighbours: 300, points: 50, needed: 50 * 300 * SearchTask.bytesPerHit,
                                                     available: 20_000_000, most: 10_000_000 / (50 * SearchTask.bytesPerHit))) {
        try task.run(EvaluationContext())
    }
    task.k = 100
    #expect(try task.run(EvaluationContext()).results.count == 50)
}
