import Foundation
import Testing
@testable import Embeval

/// WebDataset shards through every command, against the IDX files of the same Fashion-MNIST images
/// (tools/fixtures/webdataset_shards.py): the same embeddings, bytes for bytes, and so the same kNN, zero-shot,
/// comparison, map and check numbers — identical, not close. Then the bad shards: one line naming the file (and
/// member), exit code 2, or a skipped image under `--on-bad-image skip`.
@Suite(.serialized) struct WebDatasetCommandTests {
    static let root = TestPaths.fixture("webdataset")
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static let vit = TestPaths.fixture("models/vit-tiny").path
    static let dinov2 = TestPaths.fixture("models/dinov2-tiny").path
    static let idxTest = path("idx/fmnist-test150-images-idx3-ubyte.gz")
    static let idxTrain = path("idx/fmnist-train60-images-idx3-ubyte.gz")
    /// The same 150 test images, named three ways.
    static let shardSpecs = [["--dataset", path("fmnist-webp"), "--split", "test"],
                             ["--dataset", path("fmnist-png/test-{000..002}.tar")],
                             ["--dataset", path("fmnist-webp/test")]]
    let dir = TestPaths.scratch("wds-cli")

    func run(_ arguments: [String]) throws -> (code: Int32, out: String, err: String) {
        let r = try runEmbeval(arguments)
        #expect(r.code == 0, "\(arguments.joined(separator: " ")): \(r.err)")
        return r
    }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    /// A JSON value as canonical text, for comparing nested results exactly.
    func canonical(_ value: Any?) throws -> String {
        guard let value else { return "null" }
        return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    func file(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test(arguments: shardSpecs)
    func embedWritesTheIDXEmbeddingsByteForByte(_ shards: [String]) throws {
        let a = dir.appendingPathComponent("shards").path, b = dir.appendingPathComponent("idx").path
        _ = try run(["embed", "-m", Self.vit, "--pooling", "cls,mean"] + shards + ["--output", a])
        _ = try run(["embed", "-m", Self.vit, "--pooling", "cls,mean", "--dataset", Self.idxTest, "--output", b])
        for pooling in ["cls", "mean"] {
            #expect(try file("\(a)/\(pooling)/embeddings.npy") == file("\(b)/\(pooling)/embeddings.npy"))
            #expect(try file("\(a)/\(pooling)/labels.npy") == file("\(b)/\(pooling)/labels.npy"))
        }
        let ids = try String(contentsOfFile: "\(a)/cls/ids.txt", encoding: .utf8).split(separator: "\n")
        #expect(ids.first == "s0000000" && ids.count == 150)
        #expect(try String(contentsOfFile: "\(a)/cls/classes.txt", encoding: .utf8).hasPrefix("T-shirt/top\nTrouser\n"))
        // A seeded subset: the same images, so the same rows.
        _ = try run(["embed", "-m", Self.vit, "--samples", "40", "--seed", "2"] + shards + ["--output", a + "-40"])
        _ = try run(["embed", "-m", Self.vit, "--samples", "40", "--seed", "2", "--dataset", Self.idxTest, "--output", b + "-40"])
        #expect(try file("\(a)-40/embeddings.npy") == file("\(b)-40/embeddings.npy"))
        let subset = try String(contentsOfFile: "\(a)-40/ids.txt", encoding: .utf8).split(separator: "\n").map { Int($0.dropFirst()) }
        #expect(try subset == String(contentsOfFile: "\(b)-40/ids.txt", encoding: .utf8).split(separator: "\n").map { Int($0) })
    }

    /// `-m pixels` embeds the decoded RGB image; the IDX path embeds the grey array as it is stored. The rows are the
    /// same pixels (each grey value three times), and the kNN numbers are the same.
    @Test func pixelsAreTheIDXPixelsAndGiveTheSameKNN() throws {
        let a = dir.appendingPathComponent("px-shards").path, b = dir.appendingPathComponent("px-idx").path
        _ = try run(["embed", "-m", "pixels", "--dataset", Self.path("fmnist-webp/test"), "--output", a])
        _ = try run(["embed", "-m", "pixels", "--dataset", Self.idxTest, "--output", b])
        let rgb = try NumpyArray.readMatrix(at: URL(fileURLWithPath: "\(a)/embeddings.npy"))
        let grey = try NumpyArray.readMatrix(at: URL(fileURLWithPath: "\(b)/embeddings.npy"))
        #expect(rgb.rows == grey.rows && rgb.columns == 3 * grey.columns)
        #expect((0..<grey.rows).allSatisfy { r in (0..<grey.columns).allSatisfy { j in (0..<3).allSatisfy { rgb[r, 3 * j + $0] == grey[r, j] } } })
        for extra in [["--k", "5,20"], ["--samples", "60", "--seed", "4"]] {
            let ja = dir.appendingPathComponent("a.json").path, jb = dir.appendingPathComponent("b.json").path
            _ = try run(["knn", "-m", "pixels", "--dataset", Self.path("fmnist-webp/test"), "--json", ja] + extra)
            _ = try run(["knn", "-m", "pixels", "--dataset", Self.idxTest, "--json", jb] + extra)
            #expect(try canonical(json(ja)["results"]) == canonical(json(jb)["results"]), "\(extra)")
        }
    }

    @Test(arguments: shardSpecs)
    func knnGivesTheIDXNumbers(_ shards: [String]) throws {
        for extra in [["--pooling", "cls,mean", "--k", "5,10"], ["--samples", "50", "--seed", "7"]] {
            let ja = dir.appendingPathComponent("a.json").path, jb = dir.appendingPathComponent("b.json").path
            _ = try run(["knn", "-m", Self.vit] + shards + ["--json", ja] + extra)
            _ = try run(["knn", "-m", Self.vit, "--dataset", Self.idxTest, "--json", jb] + extra)
            let a = try json(ja), b = try json(jb)
            #expect(try canonical(a["results"]) == canonical(b["results"]))
            #expect(try canonical(a["health"]) == canonical(b["health"]))
            #expect(a["samples"] as? Int == (extra.contains("--samples") ? 50 : 150))
        }
    }

    /// Train/test on CLIP_benchmark's split folders: the same numbers as the IDX files' embeddings evaluated from .npy.
    @Test func trainTestOnSplitFoldersGivesTheIDXNumbers() throws {
        let ja = dir.appendingPathComponent("a.json").path, jb = dir.appendingPathComponent("b.json").path
        _ = try run(["knn", "-m", Self.vit, "--dataset", Self.path("fmnist-webp"), "--split", "test", "--protocol", "train-test",
                     "--train-split", "train", "--k", "5,20", "--json", ja])
        let test = dir.appendingPathComponent("t").path, train = dir.appendingPathComponent("r").path
        _ = try run(["embed", "-m", Self.vit, "--dataset", Self.idxTest, "--output", test])
        _ = try run(["embed", "-m", Self.vit, "--dataset", Self.idxTrain, "--output", train])
        _ = try run(["knn", "--embeddings", "\(test)/embeddings.npy", "--labels", "\(test)/labels.npy",
                     "--train-embeddings", "\(train)/embeddings.npy", "--train-labels", "\(train)/labels.npy",
                     "--protocol", "train-test", "--k", "5,20", "--json", jb])
        let a = try json(ja), b = try json(jb)
        // Precomputed embeddings have no pooling name: compare everything else.
        let results = { (o: [String: Any]) in (o["results"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "pooling" } } }
        #expect(try canonical(results(a)) == canonical(results(b)))
        #expect(results(a).count == 2)
        #expect((a["dataset"] as? [String: Any])?["train_samples"] as? Int == 60)
    }

    /// zeroshot picks up classnames.txt and zeroshot_classification_templates.txt ({c}) beside the shards: the same
    /// numbers as the IDX files given those two files explicitly.
    @Test(arguments: shardSpecs)
    func zeroshotTakesCLIPBenchmarksFilesAndGivesTheIDXNumbers(_ shards: [String]) throws {
        let clip = ["-m", "image-encoder=\(TestPaths.fixture("twotower/clip/image-encoder").path)",
                    "-m", "text-encoder=\(TestPaths.fixture("twotower/clip/text-encoder").path)"]
        let ja = dir.appendingPathComponent("a.json").path, jb = dir.appendingPathComponent("b.json").path
        let folder = shards[1].contains("png") ? "fmnist-png" : "fmnist-webp"
        let r = try run(["zeroshot"] + clip + shards + ["--per-class", "--json", ja])
        #expect(r.out.contains("Templates: 8 (ensembled)"))
        _ = try run(["zeroshot"] + clip + ["--dataset", Self.idxTest, "--per-class", "--json", jb,
                     "--classnames", Self.path("\(folder)/classnames.txt"),
                     "--templates", Self.path("\(folder)/zeroshot_classification_templates.txt")])
        let a = try json(ja), b = try json(jb)
        #expect(try canonical(a["results"]) == canonical(b["results"]))
        #expect((a["templates"] as? [String])?.count == 8)
        #expect((a["classnames"] as? [String])?.first == "T-shirt/top")
        #expect(try canonical(a["templates"]) == canonical(b["templates"]))
        // A template given on the command line replaces the file's.
        let c = try run(["zeroshot"] + clip + shards + ["--template", "a {} it is", "--json", ja])
        #expect(!c.out.contains("{c}"))
        #expect(try json(ja)["templates"] as? [String] == ["a {} it is"])
    }

    @Test func compareGivesTheIDXVerdictAndNumbers() throws {
        let ja = dir.appendingPathComponent("a.json").path, jb = dir.appendingPathComponent("b.json").path
        let sides = ["--baseline", Self.vit, "--candidate", Self.dinov2, "--tolerance", "50", "--bootstrap", "200"]
        let a = try runEmbeval(["compare"] + sides + ["--dataset", Self.path("fmnist-png/test-{000..002}.tar"), "--json", ja])
        let b = try runEmbeval(["compare"] + sides + ["--dataset", Self.idxTest, "--json", jb])
        #expect(a.code == b.code && [0, 1, 3].contains(a.code), "\(a.err)")
        let x = try json(ja), y = try json(jb)
        #expect(try canonical(x["metrics"]) == canonical(y["metrics"]))
        // The agreement names its least similar samples by id: keys in one, row numbers in the other.
        var ax = x["agreement"] as? [String: Any] ?? [:], ay = y["agreement"] as? [String: Any] ?? [:]
        let wx = ax.removeValue(forKey: "worst_ids") as? [[String: Any]], wy = ay.removeValue(forKey: "worst_ids") as? [[String: Any]]
        #expect(try canonical(ax) == canonical(ay))
        #expect(wx?.compactMap { ($0["id"] as? String).flatMap { Int($0.dropFirst()) } } == wy?.compactMap { ($0["id"] as? String).flatMap { Int($0) } })
        #expect(wx?.isEmpty == false)
        #expect(x["verdict"] as? String == y["verdict"] as? String)
    }

    /// With `--seed` (bit-reproducible maps; without it UMAP's layout races on every core), the shards' maps are the
    /// IDX files' maps byte for byte.
    @Test func exploreMapsAreTheIDXMaps() throws {
        let a = dir.appendingPathComponent("map-shards").path, b = dir.appendingPathComponent("map-idx").path
        _ = try run(["explore", "-m", Self.vit, "--dataset", Self.path("fmnist-webp"), "--split", "test", "--method", "pca,umap",
                     "--out", a, "--samples", "120", "--seed", "0"])
        _ = try run(["explore", "-m", Self.vit, "--dataset", Self.idxTest, "--method", "pca,umap", "--out", b, "--samples", "120", "--seed", "0"])
        for map in ["pca.npy", "umap.npy"] { #expect(try file("\(a)/\(map)") == file("\(b)/\(map)"), "\(map)") }
        let page = try String(contentsOfFile: "\(a)/explore.html", encoding: .utf8)
        #expect(page.contains("s0000") && page.contains("data:image/png;base64,"))
    }

    @Test func checkMeasuresTheSameOnShardsAndOnIDX() throws {
        let file = dir.appendingPathComponent("expect.json")
        let entry = { (dataset: String, split: String) in
            #"{"model": "\#(Self.vit)", "task": "knn", "dataset": "\#(dataset)", \#(split)"metric": "top1_accuracy", "k": 10, "expected": 50, "tolerance": 50}"#
        }
        try "[\(entry(Self.path("fmnist-webp"), #""split": "test", "#)), \(entry(Self.idxTest, ""))]".write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("check.json").path
        let r = try runEmbeval(["check", file.path, "--json", out])
        #expect([0, 3].contains(r.code), "\(r.err)")
        let entries = try json(out)["entries"] as? [[String: Any]] ?? []
        #expect(entries.count == 2)
        #expect(entries.first?["measured"] as? Double == entries.last?["measured"] as? Double)
    }

    // MARK: - Bad shards

    /// Makes the broken inputs under `dir`: copies of a fixture shard cut or damaged, and small shards with a bad
    /// sample or image. Returns the spec to pass for `name`.
    func broken(_ name: String) throws -> String {
        let good = [UInt8](try file(Self.path("fmnist-png/test-001.tar")))
        let members = try TarArchive(ReadOnlyFile(Self.path("fmnist-png/test-001.tar"))).members
        let corrupt = [UInt8](try file(ImagingFixtures.path("webp_corrupt.webp")))
        let huge = [UInt8](try file(TestPaths.repository.appendingPathComponent("Fuzz/Regressions/image/webp-canvas-60000x60000.webp").path))
        func shard(_ entries: [TestTar.Entry]) throws -> String { try TestTar.write(TestTar.archive(entries), to: "\(name)/0.tar", in: dir).path }
        switch name {
        case "truncated":   // cut inside the data of an image member
            let cut = members.dropFirst(10).first { $0.size > 100 }.map { $0.offset + 10 } ?? 0
            return try TestTar.write(Array(good.prefix(cut)), to: "\(name)/test-001.tar", in: dir).path
        case "checksum":    // one bit of the 5th member's header name flipped
            var bytes = good
            bytes[members[4].header + 3] ^= 0x01
            return try TestTar.write(bytes, to: "\(name)/test-001.tar", in: dir).path
        case "missing": return Self.path("fmnist-png/test-{000..004}.tar")
        case "pattern": return Self.path("fmnist-png/test-{000..002.tar")
        case "no-image": return try shard([.init("a.cls", text: "1"), .init("a.txt", text: "x")])
        case "no-label": return try shard([.init("a.webp", [UInt8](try file(ImagingFixtures.path("webp_lossless.webp"))))])
        case "corrupt-webp": return try shard([.init("a.webp", corrupt), .init("a.cls", text: "1"),
                                               .init("b.webp", [UInt8](try file(ImagingFixtures.path("webp_lossless.webp")))), .init("b.cls", text: "0")])
        case "huge-webp": return try shard([.init("a.webp", huge), .init("a.cls", text: "1"),
                                            .init("b.webp", [UInt8](try file(ImagingFixtures.path("webp_lossy_q80.webp")))), .init("b.cls", text: "0")])
        default: return try TestTar.write(Array("just text".utf8), to: "\(name)/0.tar", in: dir).path
        }
    }

    /// Each bad shard, through `embed -m pixels` (which reads every image): one line on stderr naming the shard (and
    /// member), exit code 2, under the hostile-input watchdog and address-space cap.
    @Test(arguments: [
        ("truncated", ["test-001.tar' at byte", "declares", "(truncated?)"]),
        ("checksum", ["test-001.tar' at byte", "bad header checksum"]),
        ("missing", ["shard '", "test-003.tar' not found: named by the brace pattern '"]),
        ("pattern", ["brace pattern '", "test-{000..002.tar': a '{' at character"]),
        ("no-image", ["0.tar' sample 'a': no image member (.webp, .png, .jpg or .jpeg); it has .cls, .txt"]),
        ("no-label", ["0.tar' sample 'a': no label member (.cls, .txt or .json); it has .webp"]),
        ("corrupt-webp", ["cannot decode image '", "0.tar member a.webp': corrupt WebP bitstream"]),
        ("huge-webp", ["image '", "0.tar member a.webp' is 60000×60000", "raise --max-image-pixels"]),
        ("not-a-tar", ["0.tar' at byte 0: not a tar archive"]),
    ])
    func badShardsAreOneLineAndExitCode2(name: String, parts: [String]) throws {
        let spec = try broken(name)
        let r = try runWatched(["embed", "-m", "pixels", "--dataset", spec, "--output", dir.appendingPathComponent("out-\(name)").path], timeout: 120)
        #expect(!r.signalled && !r.timedOut && r.code == 2, "\(r.summary)")
        #expect(r.err.hasPrefix("error: ") && r.err.split(separator: "\n").count == 1, "\(r.summary)")
        #expect(parts.allSatisfy(r.err.contains), "\(r.summary)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out-\(name)").path))
    }

    /// A bad image inside a shard is skipped and counted under `--on-bad-image skip`; the other samples are embedded.
    @Test(arguments: ["corrupt-webp", "huge-webp"])
    func badImagesInShardsAreSkippedWhenAsked(_ name: String) throws {
        let spec = try broken(name)
        let out = dir.appendingPathComponent("skip-\(name)")
        let r = try runWatched(["embed", "-m", "pixels", "--dataset", spec, "--output", out.path, "--on-bad-image", "skip"], timeout: 120)
        #expect(r.code == 0, "\(r.summary)")
        let ids = try String(contentsOfFile: out.appendingPathComponent("ids.txt").path, encoding: .utf8)
        #expect(ids == "b\n")
        #expect(r.err.contains("a") && r.err.contains("skipped"), "\(r.summary)")
    }

    @Test func aSplitTheShardsDoNotHaveIsAnError() throws {
        let r = try runEmbeval(["knn", "-m", "pixels", "--dataset", Self.path("fmnist-webp"), "--split", "validation"])
        #expect(r.code == 2)
        #expect(r.err.contains("has no split 'validation': no sub-folder 'validation'"), "\(r.err)")
        let none = try runEmbeval(["knn", "-m", "pixels", "--dataset", Self.path("fmnist-webp")])
        #expect(none.code == 2)
        #expect(none.err.contains("its sub-folders 'test', 'train' do: choose one with --split"), "\(none.err)")
    }
}

/// A hub dataset id whose snapshot holds WebDataset shards (CLIP_benchmark's `clip-benchmark/wds_…` repositories) is
/// read as the shards, its split folders chosen by --split: it was refused as holding no .parquet or .arrow file.
@Test func aHubSnapshotOfWebDatasetShardsIsReadAsShards() throws {
    let hub = TestPaths.scratch("wds-hub")
    let repository = hub.appendingPathComponent("datasets--acme--wds")
    let snapshot = repository.appendingPathComponent("snapshots/0123456789abcdef0123456789abcdef01234567")
    try FileManager.default.createDirectory(at: repository.appendingPathComponent("refs"), withIntermediateDirectories: true)
    try "0123456789abcdef0123456789abcdef01234567".write(to: repository.appendingPathComponent("refs/main"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: TestPaths.fixture("webdataset/fmnist-webp/test"), to: snapshot.appendingPathComponent("test"))
    try FileManager.default.copyItem(at: TestPaths.fixture("webdataset/fmnist-webp/classnames.txt"), to: snapshot.appendingPathComponent("classnames.txt"))
    let json = hub.appendingPathComponent("knn.json").path
    let r = try runEmbeval(["knn", "-m", "pixels", "--dataset", "acme/wds", "--split", "test", "--json", json], environment: ["HF_HUB_CACHE": hub.path])
    #expect(r.code == 0, "\(r.err)")
    let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
    #expect(report?["samples"] as? Int == 150)
    #expect((report?["dataset"] as? [String: Any])?["name"] as? String == "acme/wds")
}
