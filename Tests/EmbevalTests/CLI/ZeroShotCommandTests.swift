import Foundation
import Testing
@testable import Embeval

@Suite(.serialized) struct ZeroShotCommandTests {
    let dir = TestPaths.scratch("zeroshot")
    static func fixture(_ p: String) -> String { TestPaths.fixture("twotower/\(p)").path }
    var clipRoles: [String] { ["-m", "image-encoder=\(Self.fixture("clip/image-encoder"))", "-m", "text-encoder=\(Self.fixture("clip/text-encoder"))"] }

    @Test func zeroshotPrintsTheTableAndWritesJSON() throws {
        let json = dir.appendingPathComponent("z.json").path
        let r = try runEmbeval(["zeroshot"] + clipRoles + ["--dataset", Self.fixture("images"), "--template", "a photo of a {}.",
                                "--template", "a drawing of a {}.", "--per-class", "--json", json])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("mean_per_class_recall"))
        #expect(r.out.contains("│ triangle "))
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        #expect(object["task"] as? String == "zero-shot")
        #expect(object["samples"] as? Int == 200)
        #expect(object["templates"] as? [String] == ["a photo of a {}.", "a drawing of a {}."])
        #expect(object["classnames"] as? [String] == ["circle", "gradient", "square", "stripes", "triangle"])
        let result = (object["results"] as! [[String: Any]])[0]
        #expect((result["top5_accuracy"] as? Double) == 100)
    }

    @Test func seedCompatibleEvalRunsZeroShotAndTokenizePrintsIds() throws {
        let r = try runEmbeval(["eval", "--task", "zero-shot-image-classification"] + clipRoles + ["--dataset", Self.fixture("images"), "--samples", "20"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("Samples:   20"))
        let t = try runEmbeval(["tokenize", "--tokenizer", Self.fixture("siglip/text-encoder"), "--max-length", "8", "a photo of a cat"])
        #expect(t.code == 0, "\(t.err)")
        let ids = t.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ids.hasPrefix("[") && ids.split(separator: ",").count == 8)
    }

    /// Bad input: one line, exit code 2.
    @Test(arguments: [
        (["--template", "a photo"], "template 'a photo' has no {} (or {c}) where the class name goes"),
        (["--classnames", "EMPTY"], "the class list is empty"),
        (["--classnames", "DUP"], "duplicate class name 'circle' (classes 0 and 2)"),
        (["--tokenizer", "UNSUPPORTED"], "unsupported normalizer 'Nmt'"),
        (["-m", "vision=x"], "unknown role (accepted roles: image-encoder, text-encoder"),
    ])
    func badZeroShotInputIsOneLineAndExitCode2(extra: [String], message: String) throws {
        try "".write(to: dir.appendingPathComponent("empty.txt"), atomically: true, encoding: .utf8)
        try "circle\nsquare\ncircle\n".write(to: dir.appendingPathComponent("dup.txt"), atomically: true, encoding: .utf8)
        let unsupported = dir.appendingPathComponent("nmt")
        try FileManager.default.createDirectory(at: unsupported, withIntermediateDirectories: true)
        try #"{"version": "1.0", "normalizer": {"type": "Nmt"}, "model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 1}, "unk_token": "[UNK]"}}"#
            .write(to: unsupported.appendingPathComponent("tokenizer.json"), atomically: true, encoding: .utf8)
        let substitutions = ["EMPTY": dir.appendingPathComponent("empty.txt").path, "DUP": dir.appendingPathComponent("dup.txt").path,
                             "UNSUPPORTED": unsupported.path]
        let roles = extra.first == "-m" ? extra : clipRoles + extra.map { substitutions[$0] ?? $0 }
        let r = try runEmbeval(["zeroshot"] + roles + ["--dataset", Self.fixture("images")])
        #expect(r.code == 2)
        #expect(r.err.contains(message), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
    }

    @Test func towersThatDoNotShareASpaceOrAFlatTextOutputAreRefused() throws {
        let mixed = try runEmbeval(["zeroshot", "-m", "image-encoder=\(Self.fixture("clip/image-encoder"))",
                                    "-m", "text-encoder=\(Self.fixture("siglip/text-encoder"))", "--dataset", Self.fixture("images")])
        #expect(mixed.code == 2)
        #expect(mixed.err.contains("image embeddings are 16-dimensional but text embeddings 32-dimensional"), "\(mixed.err)")
        let flat = try runEmbeval(["zeroshot", "-m", "image-encoder=\(Self.fixture("clip/image-encoder"))",
                                   "-m", "text-encoder=\(TestPaths.fixture("runtime/text_3d.onnx").path)",
                                   "--tokenizer", Self.fixture("clip/text-encoder"), "--dataset", Self.fixture("images")])
        #expect(flat.code == 2)
        #expect(flat.err.contains("text encoder output 'text_embeds' has shape [?, ?, 4]; expected a 2-D [batch, d] output"), "\(flat.err)")
    }
}
