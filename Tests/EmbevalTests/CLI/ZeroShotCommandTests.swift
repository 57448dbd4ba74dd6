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
        #expect(r.err.contains("warning: 5 classes compete: top-5 accuracy is 100% by construction"), "\(r.err)")
    }

    /// SigLIP 2 (Gemma tokenizer, padded to 64, `--lowercase`) and ALIGN (WordPiece, EfficientNet pixels) end to
    /// end: the command's top-1 accuracy is the transformers pipeline's on the same images; NaFlex is refused.
    @Test(arguments: [("siglip2", false), ("siglip2", true), ("align", false)])
    func newFamiliesScoreAsThePipeline(family: String, lowercase: Bool) throws {
        let json = dir.appendingPathComponent("\(family)-\(lowercase).json").path
        let r = try runEmbeval(["zeroshot", "-m", "image-encoder=\(Self.fixture("\(family)/image-encoder"))",
                                "-m", "text-encoder=\(Self.fixture("\(family)/text-encoder"))", "--dataset", Self.fixture("images"),
                                "--json", json] + (lowercase ? ["--lowercase"] : []))
        #expect(r.code == 0, "\(r.err)")
        let records = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixture("pipeline/\(family)\(lowercase ? "_lower" : "").json")))) as! [[String: Any]]
        let pipelineTop1 = 100 * Double(records.filter { $0["top1"] as? String == $0["label"] as? String }.count) / Double(records.count)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let top1 = (object["results"] as! [[String: Any]])[0]["top1_accuracy"] as? Double
        #expect(top1.map { abs($0 - pipelineTop1) < 1e-9 } == true, "\(String(describing: top1)) vs \(pipelineTop1)")
        // The report says whether the prompts were lower-cased, so a reader can reproduce the run.
        #expect((object["parameters"] as? [String: Any])?["lowercase"] as? Bool == lowercase)
        #expect(r.out.contains("Prompts:") == lowercase, "\(r.out)")
    }

    @Test func naflexExportsAreRefusedInOneLine() throws {
        let r = try runEmbeval(["zeroshot", "-m", "image-encoder=\(Self.fixture("siglip2-naflex/image-encoder"))",
                                "-m", "text-encoder=\(Self.fixture("siglip2/text-encoder"))", "--dataset", Self.fixture("images")])
        #expect(r.code == 2)
        #expect(r.err.contains("is a NaFlex (variable-resolution SigLIP 2) export: its input 'pixel_attention_mask'"), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1)
    }

    @Test func tokenizePadsSigLIPFamiliesTo64AndWrapsBERTInClsSep() throws {
        let gemma = try runEmbeval(["tokenize", "--tokenizer", Self.fixture("siglip2/text-encoder"), "a photo of a cat"])
        #expect(gemma.code == 0, "\(gemma.err)")
        let ids = gemma.out.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst().dropLast().split(separator: ", ").map { Int($0)! }
        #expect(ids.count == 64 && ids.last == 0 && ids.contains(1))  // <eos> = 1, then <pad> = 0 up to 64
        let bert = try runEmbeval(["tokenize", "--tokenizer", Self.fixture("align/text-encoder"), "A photo of a CAT."])
        #expect(bert.code == 0, "\(bert.err)")
        #expect(bert.out.hasPrefix("[2, ") && bert.out.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(", 3]"))
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

    /// Class names that the tokenizer makes the same ids under every template (CLIP lower-cases) have identical text
    /// embeddings: the run goes on as the pipeline would, and says so, since every tie goes to the first of them.
    @Test func classesTheTokenizerCannotTellApartAreWarnedAbout() throws {
        let names = dir.appendingPathComponent("cased.txt")
        try "circle\nCircle\ngradient\nsquare\nstripes\ntriangle\n".write(to: names, atomically: true, encoding: .utf8)
        let r = try runEmbeval(["zeroshot"] + clipRoles + ["--dataset", Self.fixture("images"), "--classnames", names.path,
                                "--template", "a photo of a {}.", "--template", "a drawing of a {}."])
        #expect(r.code == 0, "\(r.err)")
        let warnings = r.err.split(separator: "\n").filter { $0.contains("the same tokens") }
        #expect(warnings.count == 1, "\(r.err)")
        #expect(warnings.first?.hasPrefix("warning: classes 'circle' (0) and 'Circle' (1) give the same tokens under every template") == true,
                "\(r.err)")
        // Told apart by case (a cased tokenizer) or by one template, they are not.
        let plain = try runEmbeval(["zeroshot"] + clipRoles + ["--dataset", Self.fixture("images")])
        #expect(plain.code == 0 && !plain.err.contains("the same tokens"), "\(plain.err)")
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
