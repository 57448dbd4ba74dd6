import Foundation
import Testing
@testable import Embeval

/// `embeval inspect`, `--layers`, `--layer-norm`, `dino-linear` and `embed --feature-maps` from the command line
/// (issue 13), on the fixtures of tools/fixtures/layers.py.
@Suite(.serialized) struct LayerCommandTests {
    let dir = TestPaths.scratch("layer-cli")
    static func model(_ name: String) -> String { TestPaths.fixture("layers/\(name)").path }
    static let images = TestPaths.fixture("models/images").path

    @Test func inspectDescribesTheBlocksTokensAndPoolings() throws {
        let r = try runEmbeval(["inspect", Self.model("dinov2-reg")])
        #expect(r.code == 0, "\(r.err)")
        for line in ["  blocks: 4 (hidden size 16, heads 2); final norm: LayerNorm over 16, eps 1e-05",
                     "  tokens: 5 prefix (class + 4 registers), patch 8×8, grid 4×4 = 16 patches at input 32×32",
                     "  poolings: cls, mean, cls+mean, gem, pooler, POOLING@LAYER, dino-linear[:N≤4]",
                     "  layers: 0…3, or -1…-4"] {
            #expect(r.out.contains(line + "\n"), "missing: \(line)\n\(r.out)")
        }
        let json = try runEmbeval(["inspect", Self.model("dinov2-reg"), "--json", "-"])
        #expect(json.code == 0 && !json.out.contains("blocks: 4"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let image = try #require(object["image"] as? [String: Any])
        let tower = try #require(image["tower"] as? [String: Any])
        #expect((tower["blocks"] as? [String: Any])?["count"] as? Int == 4)
        #expect(image["prefix_tokens"] as? Int == 5)
        #expect(object["providers"] as? [String] != nil)
    }

    @Test func inspectOfATwoTowerModelNamesTheTokenizerAndBatchAxis() throws {
        let tower = TestPaths.fixture("twotower/siglip")
        let r = try runEmbeval(["inspect", "image-encoder=\(tower.appendingPathComponent("image-encoder").path)",
                                "text-encoder=\(tower.appendingPathComponent("text-encoder").path)"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("text: tokenizer spiece.model SentencePiece unigram (transformers' SiglipTokenizer rules), max length 64, padding to max_length 64 (pad id 1), output pooler_output, shared batch axis: no"))
        #expect(r.out.contains("tokens: 0 prefix (no class token)"))
        let shared = try runEmbeval(["inspect", TestPaths.fixture("twotower/clip/combined-shared-batch").path])
        #expect(shared.code == 0, "\(shared.err)")
        #expect(shared.out.contains("shared batch axis: yes"))
        #expect(shared.out.contains("residual stream: /m/vision_model/"), "the image tower's blocks, not the text tower's")
    }

    @Test func layersGiveOneRowPerLayerAndPoolingFromOneRun() throws {
        let r = try runEmbeval(["knn", "-m", Self.model("dinov2"), "--dataset", Self.images, "--pooling", "cls,mean",
                                "--layers", "-1,-4", "--k", "1", "--json", dir.appendingPathComponent("knn.json").path])
        #expect(r.code == 0, "\(r.err)")
        let report = try KNNReport.read(from: dir.appendingPathComponent("knn.json"))
        #expect(report.results.map(\.pooling) == ["cls@-1", "cls@-4", "mean@-1", "mean@-4"])

        let out = dir.appendingPathComponent("emb")
        let e = try runEmbeval(["embed", "-m", Self.model("dinov2"), "--dataset", Self.images, "--layers", "-2",
                                "--pooling", "cls", "--output", out.path])
        #expect(e.code == 0, "\(e.err)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("embeddings.npy").path))
        let linear = dir.appendingPathComponent("linear")
        let l = try runEmbeval(["embed", "-m", Self.model("dinov2"), "--dataset", Self.images, "--pooling", "cls,dino-linear",
                                "--output", linear.path])
        #expect(l.code == 0, "\(l.err)")
        let features = try NumpyArray.readMatrix(at: linear.appendingPathComponent("dino-linear/embeddings.npy"))
        #expect(features.rows == 4 && features.columns == 5 * 16)
    }

    @Test func featureMapsAreWrittenAsNCHW() throws {
        let out = dir.appendingPathComponent("maps")
        let r = try runEmbeval(["embed", "-m", Self.model("dinov2"), "--dataset", Self.images, "--feature-maps", "-2,-1",
                                "--layer-norm", "none", "--output", out.path])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("featuremap@-1: 4×256"))
        let maps = try NumpyArray.readTensor(at: out.appendingPathComponent("featuremap@-1/embeddings.npy"))
        #expect(maps.shape == [4, 16, 4, 4])
    }

    /// `--dtype float16` feature maps from two shards merge into [N, C, H, W] float16, within float16's rounding of
    /// the float32 run; shards of another dtype are refused by the merge.
    @Test func float16FeatureMapsMergeAcrossShards() throws {
        let run = { (out: String, extra: [String]) in
            try runEmbeval(["embed", "-m", Self.model("dinov2"), "--dataset", Self.images, "--pooling", "cls", "--feature-maps", "-1",
                            "--batch-size", "1", "--output", self.dir.appendingPathComponent(out).path] + extra)
        }
        for (name, extra) in [("h0", ["--shard", "0/2", "--dtype", "float16"]), ("h1", ["--shard", "1/2", "--dtype", "float16"]),
                              ("f1", ["--shard", "1/2"]), ("whole", [])] {
            let r = try run(name, extra)
            #expect(r.code == 0, "\(name): \(r.err)")
        }
        let merged = dir.appendingPathComponent("merged")
        let m = try runEmbeval(["merge", dir.appendingPathComponent("h0").path, dir.appendingPathComponent("h1").path, "--output", merged.path])
        #expect(m.code == 0, "\(m.err)")
        let half = try NumpyArray.readTensor(at: merged.appendingPathComponent("featuremap@-1/embeddings.npy"))
        let full = try NumpyArray.readTensor(at: dir.appendingPathComponent("whole/featuremap@-1/embeddings.npy"))
        #expect(half.shape == [4, 16, 4, 4] && full.shape == half.shape)
        let header = try Data(contentsOf: merged.appendingPathComponent("featuremap@-1/embeddings.npy")).prefix(128)
        #expect(String(decoding: header, as: UTF8.self).contains("'descr': '<f2'"))
        #expect(zip(half.values, full.values).allSatisfy { abs($0 - $1) <= 1e-3 * max(1, abs($1)) })
        let mixed = try runEmbeval(["merge", dir.appendingPathComponent("h0").path, dir.appendingPathComponent("f1").path,
                                    "--output", dir.appendingPathComponent("mixed").path])
        #expect(mixed.code == 2 && mixed.err.contains("another --dtype"), "\(mixed.err)")
    }

    /// Poolings at a layer are named alike under `--layer-norm final` and `none`, but hold other bytes: a resume across
    /// them is refused.
    @Test func aResumeWithAnotherLayerNormIsRefused() throws {
        let out = dir.appendingPathComponent("norm")
        let first = try runEmbeval(["embed", "-m", Self.model("vit"), "--dataset", Self.images, "--layers", "-1", "--layer-norm", "none",
                                    "--output", out.path])
        #expect(first.code == 0, "\(first.err)")
        let again = try runEmbeval(["embed", "-m", Self.model("vit"), "--dataset", Self.images, "--layers", "-1", "--resume", "--output", out.path])
        #expect(again.code == 2 && again.err.contains("another --layer-norm (none, not final)"), "\(again.err)")
    }

    @Test func whatCannotBeDoneIsOneLineAndExitCode2() throws {
        let cases: [([String], String)] = [
            (["embed", "-m", Self.model("vit"), "--dataset", Self.images, "--layers", "-9", "--output", dir.appendingPathComponent("x").path],
             "layer -9 is out of range: the model has 4 blocks"),
            (["embed", "-m", Self.model("vit"), "--dataset", Self.images, "--layers", "-1", "--pooling", "pooler", "--output", dir.appendingPathComponent("x").path],
             "'pooler' cannot be taken at a layer"),
            (["embed", "-m", Self.model("no-blocks"), "--dataset", Self.images, "--pooling", "cls@-1", "--output", dir.appendingPathComponent("x").path],
             "its declared outputs allow: pooler"),
            (["knn", "-m", Self.model("vit"), "--dataset", Self.images, "--pooling", "dino-linear:5"],
             "layer -5 is out of range"),
            (["inspect", dir.appendingPathComponent("missing.onnx").path], "model not found"),
        ]
        for (arguments, message) in cases {
            let r = try runEmbeval(arguments)
            #expect(r.code == 2, "\(arguments)")
            #expect(r.err.contains(message), "\(arguments): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
        }
    }
}
