import Foundation
import Testing
@testable import Embeval

/// `-m model.onnx --model-id owner/name`: configs missing beside the .onnx come from the hub cache's
/// `models--owner--name/snapshots/<refs/main>/`; found nowhere, a warning names the defaults used, in the terminal
/// and in the JSON report.
@Suite(.serialized) struct ModelHubTests {
    /// A bare copy of each fixture model (the .onnx only), and a hub cache holding the configs and tokenizers.
    static let world: Result<URL, any Error> = Result {
        let root = TestPaths.scratch("model-hub")
        let manager = FileManager.default
        func bare(_ fixture: String, as name: String) throws {
            let folder = root.appendingPathComponent(name)
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            try manager.copyItem(at: TestPaths.fixture("\(fixture)/model.onnx"), to: folder.appendingPathComponent("model.onnx"))
        }
        func snapshot(_ repository: String, from fixtures: [String]) throws {
            let repo = root.appendingPathComponent("hub/models--\(repository.replacingOccurrences(of: "/", with: "--"))")
            let commit = "0123456789abcdef0123456789abcdef01234567"
            let folder = repo.appendingPathComponent("snapshots/\(commit)")
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            try manager.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
            try commit.write(to: repo.appendingPathComponent("refs/main"), atomically: true, encoding: .utf8)
            for fixture in fixtures {
                for name in try manager.contentsOfDirectory(atPath: TestPaths.fixture(fixture).path) where name.hasSuffix(".json") {
                    let target = folder.appendingPathComponent(name)
                    if !manager.fileExists(atPath: target.path) { try manager.copyItem(at: TestPaths.fixture("\(fixture)/\(name)"), to: target) }
                }
            }
        }
        try bare("models/dinov2-tiny", as: "dinov2")
        try bare("twotower/clip/image-encoder", as: "clip-image")
        try bare("twotower/clip/text-encoder", as: "clip-text")
        try snapshot("tiny/dinov2", from: ["models/dinov2-tiny"])
        try snapshot("tiny/clip", from: ["twotower/clip/image-encoder", "twotower/clip/text-encoder"])
        return root
    }

    static func path(_ name: String) throws -> String { try world.get().appendingPathComponent(name).path }
    static func run(_ arguments: [String]) throws -> (code: Int32, out: String, err: String) {
        try runEmbeval(arguments, environment: ["HF_HUB_CACHE": try path("hub")])
    }

    static let images = ["--dataset", TestPaths.fixture("models/images").path]

    @Test func configsComeFromTheHubSnapshot() throws {
        let own = try Self.path("own"), hub = try Self.path("from-hub")
        let a = try Self.run(["embed", "-m", TestPaths.fixture("models/dinov2-tiny").path, "--output", own] + Self.images)
        let b = try Self.run(["embed", "-m", Self.path("dinov2/model.onnx"), "--model-id", "tiny/dinov2", "--output", hub] + Self.images)
        #expect(a.code == 0 && b.code == 0, "\(a.err) \(b.err)")
        #expect(!b.err.contains("preprocessor_config"), "\(b.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: own + "/embeddings.npy")) == Data(contentsOf: URL(fileURLWithPath: hub + "/embeddings.npy")))
    }

    @Test func withoutConfigsTheDefaultsAreAWarningAndInTheReport() throws {
        let json = try Self.path("defaults.json")
        let r = try Self.run(["knn", "-m", Self.path("dinov2/model.onnx"), "--k", "1", "--json", json] + Self.images)
        #expect(r.code == 0, "\(r.err)")
        let warning = "no preprocessor_config.json beside '\(try Self.path("dinov2/model.onnx"))': using ViTImageProcessor defaults (resize to 32×32 (resample 2), rescale 0.00392157, normalize mean 0.5,0.5,0.5 std 0.5,0.5,0.5); pass --model-id owner/name"
        #expect(r.err.contains("warning: " + warning), "\(r.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let model = try #require(report["model"] as? [String: Any])
        #expect((model["warnings"] as? [String])?.first?.hasPrefix(warning) == true)
        #expect(model["preprocessor_config"] as? String == "none found: defaults")
    }

    @Test func anIdMissingFromTheCacheSaysHowToDownloadIt() throws {
        let r = try Self.run(["knn", "-m", Self.path("dinov2/model.onnx"), "--model-id", "tiny/absent", "--k", "1"] + Self.images)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("Evaluation: tiny/absent"))
        #expect(r.err.contains("nor in the hub cache for 'tiny/absent' (\(try Self.path("hub"))/models--tiny--absent/snapshots/<refs/main> is missing)"), "\(r.err)")
        #expect(r.err.contains(#"download it with: python -c "from huggingface_hub import snapshot_download; snapshot_download('tiny/absent')""#))
    }

    @Test func twoTowerTokenizerAndConfigsComeFromTheHubSnapshot() throws {
        let roles = ["-m", "image-encoder=\(TestPaths.fixture("twotower/clip/image-encoder").path)",
                     "-m", "text-encoder=\(TestPaths.fixture("twotower/clip/text-encoder").path)"]
        let bare = ["-m", "image-encoder=\(try Self.path("clip-image"))", "-m", "text-encoder=\(try Self.path("clip-text"))"]
        let dataset = ["--dataset", TestPaths.fixture("twotower/images").path, "--samples", "40"]
        let a = try Self.run(["zeroshot"] + roles + dataset)
        let b = try Self.run(["zeroshot"] + bare + ["--model-id", "tiny/clip"] + dataset)
        #expect(a.code == 0 && b.code == 0, "\(a.err) \(b.err)")
        // No warning but the fixture's own: its 5 classes make top-5 accuracy 100 % by construction.
        #expect(b.err.split(separator: "\n").allSatisfy { $0.contains("top-5 accuracy is 100% by construction") }, "\(b.err)")
        let table = { (text: String) in text.split(separator: "\n").filter { $0.contains("accuracy") || $0.contains("recall") } }
        #expect(table(a.out) == table(b.out) && !table(a.out).isEmpty)
        let c = try Self.run(["zeroshot"] + bare + dataset)
        #expect(c.code == 2 && c.err.contains("tokenizer"), "\(c.err)")
    }
}
