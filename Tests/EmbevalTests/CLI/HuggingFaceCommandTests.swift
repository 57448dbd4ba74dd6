import Foundation
import Testing
@testable import Embeval

/// Every Hugging Face source through the commands gives byte-identical embeddings and the same kNN and zero-shot
/// numbers as the IDX files it was written from (`--dataset fashion-mnist --samples 600`, the subset
/// tools/fixtures/hf_datasets.py wrote); compare, explore and check read them too; the hub cache is found through
/// HF_HUB_CACHE, and what is not there is one line with the command that downloads it.
@Suite(.serialized) struct HuggingFaceCommandTests {
    static let dir = TestPaths.scratch("hf-cli")
    static let vit = TestPaths.fixture("models/vit-tiny").path
    static let hub = ["HF_HUB_CACHE": TestPaths.fixture("hf/hub").path]
    static let idx = ["--dataset", "fashion-mnist", "--samples", "600"]
    static let clip = ["-m", "image-encoder=\(TestPaths.fixture("twotower/clip/image-encoder").path)",
                       "-m", "text-encoder=\(TestPaths.fixture("twotower/clip/text-encoder").path)"]

    static func fixture(_ name: String) -> String { TestPaths.fixture("hf/\(name)").path }

    /// The sources, as `--dataset …` arguments.
    static let sources: [[String]] = [
        ["--dataset", fixture("sharded")],
        ["--dataset", fixture("sharded/data/test-*.parquet")],
        ["--dataset", fixture("cifar-style/test.parquet"), "--column", "input_column=img", "--column", "label_column=fine_label"],
        ["--dataset", fixture("rowgroups/test.parquet")],
        ["--dataset", fixture("saved"), "--split", "test"],
        ["--dataset", fixture("saved-single")],
        ["--dataset", "acme/fmnist"],
        ["--dataset", "acme/fmnist", "--revision", "refs/convert/parquet", "--split", "test"],
    ]

    static func run(_ arguments: [String]) throws -> (code: Int32, out: String, err: String) {
        try runEmbeval(arguments, environment: hub)
    }

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// The figures a report gives, without what legitimately differs (the dataset's name, timings, paths).
    static func figures(_ report: [String: Any]) -> String {
        let results = report["results"] as? [[String: Any]] ?? []
        return results.map { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }.joined(separator: "\n")
            + " samples=\(report["samples"] ?? "") classnames=\(report["classnames"] ?? "")"
    }

    static let reference: Result<(embeddings: Data, labels: Data, knn: String, zeroshot: String), any Error> = Result {
        let out = dir.appendingPathComponent("idx")
        let e = try run(["embed", "-m", vit, "--output", out.path] + idx)
        guard e.code == 0 else { throw DatasetError.empty(spec: "IDX embed failed: \(e.err)") }
        let knn = dir.appendingPathComponent("idx-knn.json").path, zeroshot = dir.appendingPathComponent("idx-zs.json").path
        _ = try run(["knn", "-m", vit, "--k", "5,20", "--json", knn] + idx)
        _ = try run(["zeroshot"] + clip + ["--json", zeroshot] + idx)
        return (try Data(contentsOf: out.appendingPathComponent("embeddings.npy")), try Data(contentsOf: out.appendingPathComponent("labels.npy")),
                figures(try json(knn)), figures(try json(zeroshot)))
    }

    @Test(arguments: sources)
    func embeddingsAndNumbersAreTheIDXSources(_ source: [String]) throws {
        let reference = try Self.reference.get()
        let name = UUID().uuidString.prefix(8)
        let out = Self.dir.appendingPathComponent("emb-\(name)")
        let e = try Self.run(["embed", "-m", Self.vit, "--output", out.path] + source)
        #expect(e.code == 0, "\(e.err)")
        #expect(try Data(contentsOf: out.appendingPathComponent("embeddings.npy")) == reference.embeddings, "embeddings differ for \(source)")
        #expect(try Data(contentsOf: out.appendingPathComponent("labels.npy")) == reference.labels)

        let knn = Self.dir.appendingPathComponent("knn-\(name).json").path
        let k = try Self.run(["knn", "-m", Self.vit, "--k", "5,20", "--json", knn] + source)
        #expect(k.code == 0, "\(k.err)")
        #expect(try Self.figures(Self.json(knn)) == reference.knn)

        let zeroshot = Self.dir.appendingPathComponent("zs-\(name).json").path
        let z = try Self.run(["zeroshot"] + Self.clip + ["--json", zeroshot] + source)
        #expect(z.code == 0, "\(z.err)")
        #expect(try Self.figures(Self.json(zeroshot)) == reference.zeroshot)
    }

    @Test func theTrainTestProtocolReadsTheTrainShards() throws {
        let a = Self.dir.appendingPathComponent("tt-idx.json").path, b = Self.dir.appendingPathComponent("tt-hf.json").path
        let reference = try Self.run(["knn", "-m", Self.vit, "--protocol", "train-test", "--train-samples", "600", "--json", a] + Self.idx)
        #expect(reference.code == 0, "\(reference.err)")
        let hf = try Self.run(["knn", "-m", Self.vit, "--protocol", "train-test", "--json", b, "--dataset", "acme/fmnist"])
        #expect(hf.code == 0, "\(hf.err)")
        #expect(try Self.figures(Self.json(a)) == Self.figures(Self.json(b)))
        #expect(try Self.json(b)["dataset"].flatMap { ($0 as? [String: Any])?["train_split"] as? String } == "train")
    }

    @Test func samplesDrawTheSameSubsetAsAnyOtherSource() throws {
        // --samples 100 of the 600-row parquet is a subset of its rows: the ids say which, and the rows equal the
        // IDX rows of the same positions in the subset.
        let out = Self.dir.appendingPathComponent("sub")
        let r = try Self.run(["embed", "-m", Self.vit, "--dataset", "acme/fmnist", "--samples", "100", "--seed", "7", "--output", out.path])
        #expect(r.code == 0, "\(r.err)")
        let ids = try String(contentsOf: out.appendingPathComponent("ids.txt"), encoding: .utf8).split(separator: "\n").map { Int($0) ?? -1 }
        var generator = SeededGenerator(seed: 7)
        #expect(ids == generator.permutation(600).prefix(100).sorted())
        let all = try Embeddings.load(embeddings: Self.dir.appendingPathComponent("idx/embeddings.npy"), labels: Self.dir.appendingPathComponent("idx/labels.npy"))
        let sub = try Embeddings.load(embeddings: out.appendingPathComponent("embeddings.npy"), labels: out.appendingPathComponent("labels.npy"))
        for (row, id) in ids.enumerated() {
            #expect((0..<all.dimension).allSatisfy { sub.matrix[row, $0] == all.matrix[id, $0] })
        }
    }

    @Test func compareExploreAndCheckReadHuggingFaceSources() throws {
        let c = try Self.run(["compare", "--baseline", Self.vit, "--candidate", Self.vit, "--dataset", "acme/fmnist", "--bootstrap", "200"])
        #expect([0, 3].contains(c.code), "\(c.err)")
        #expect(c.out.contains("Samples:   600"))
        let maps = Self.dir.appendingPathComponent("maps")
        let x = try Self.run(["explore", "-m", Self.vit, "--dataset", Self.fixture("saved"), "--samples", "200", "--method", "pca", "--out", maps.path])
        #expect(x.code == 0, "\(x.err)")
        #expect(FileManager.default.fileExists(atPath: maps.appendingPathComponent("explore.html").path))
        let expectations = Self.dir.appendingPathComponent("check.json")
        try #"[{"model": "\#(Self.vit)", "task": "knn", "dataset": "acme/fmnist", "revision": "refs/convert/parquet", "split": "test", "metric": "top1_accuracy", "expected": 50, "tolerance": 50}]"#
            .write(to: expectations, atomically: true, encoding: .utf8)
        let k = try Self.run(["check", expectations.path])
        #expect([0, 3].contains(k.code), "\(k.err)")
        #expect(k.out.contains("PASS") || k.out.contains("INCONCLUSIVE"))
    }

    @Test func aDatasetNotInTheCacheSaysWhereItLookedAndHowToGetIt() throws {
        let r = try Self.run(["knn", "-m", "pixels", "--dataset", "acme/missing"])
        #expect(r.code == 2)
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(r.err.contains("hf/hub/datasets--acme--missing/snapshots/<refs/main>"))
        #expect(r.err.contains(#"python -c "from huggingface_hub import snapshot_download; snapshot_download('acme/missing', repo_type='dataset')""#))
    }
}
