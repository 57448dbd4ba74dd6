import Foundation
import Testing
@testable import Embeval

/// Runs the built `embeval` binary (from the repository root); returns exit code, stdout and stderr. Spawned and
/// reaped by `runWatched` (posix_spawn/poll/waitpid, not Foundation's `Process`, whose termination notice can be
/// lost), and killed after ten minutes: a hang fails the test instead of the whole run.
func runEmbeval(_ arguments: [String], environment: [String: String] = [:]) throws -> (code: Int32, out: String, err: String) {
    let r = try runWatched(arguments, timeout: 600, environment: environment)
    if r.timedOut { Issue.record("embeval \(arguments.joined(separator: " ")) was killed after 600 s") }
    if r.signalled { Issue.record("embeval \(arguments.joined(separator: " ")) died of signal \(r.code)") }
    return (r.signalled || r.timedOut ? 128 + r.code : r.code, r.out, r.err)
}

@Suite(.serialized) struct CommandLineTests {
    let dir: URL
    init() throws {
        dir = TestPaths.scratch("cli")
        let (m, labels) = clusteredEmbeddings(rows: 120, columns: 6, classes: 4, seed: 9)
        try NumpyArray.write(m, to: dir.appendingPathComponent("e.npy"))
        try NumpyArray.write(labels: labels, to: dir.appendingPathComponent("l.npy"))
        try NumpyArray.write(labels: Array(labels.prefix(100)), to: dir.appendingPathComponent("short.npy"))
        var bad = m
        bad[3, 1] = .infinity
        try NumpyArray.write(bad, to: dir.appendingPathComponent("nan.npy"))
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @Test func helpWorksWithoutTheRuntime() throws {
        let r = try runEmbeval(["--help"], environment: ["EMBEVAL_ONNXRUNTIME": "/nonexistent/libonnxruntime.so"])
        #expect(r.code == 0)
        #expect(r.out.contains("knn"))
        #expect(r.out.contains("embed"))
    }

    /// OpenSSL reads `OPENSSL_CONF`: a configuration that loads no SHA-256 (only the null provider) is an error
    /// naming the variable, not a trap in the model's hash.
    @Test func anOpenSSLConfigurationWithoutSHA256IsAnError() throws {
        let conf = path("null-provider.cnf")
        try "openssl_conf = init\n[init]\nproviders = providers\n[providers]\nnull = null\n[null]\nactivate = 1\n"
            .write(toFile: conf, atomically: true, encoding: .utf8)
        let r = try runEmbeval(["inspect", TestPaths.fixture("models/dinov2-tiny").path], environment: ["OPENSSL_CONF": conf])
        #expect(r.code == 2, "\(r.err)")
        #expect(r.err.hasPrefix("error: ") && r.err.contains("SHA-256") && r.err.contains("OPENSSL_CONF"), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
    }

    @Test func knnOnPrecomputedEmbeddingsPrintsTheTableAndWritesJSON() throws {
        let json = path("r.json")
        let r = try runEmbeval(["knn", "--embeddings", path("e.npy"), "--labels", path("l.npy"), "--k", "5,10",
                                "--json", json], environment: ["EMBEVAL_ONNXRUNTIME": "/nonexistent/libonnxruntime.so"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("Evaluation: precomputed"))
        #expect(r.out.contains("┃ Pooling"))
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        #expect(object["task"] as? String == "knn")
        #expect(object["protocol"] as? String == "loo")
        #expect(object["samples"] as? Int == 120)
        let results = object["results"] as! [[String: Any]]
        #expect(results.map { $0["k"] as? Int } == [5, 10])
        #expect(results.allSatisfy { ($0["top1_accuracy"] as? Double ?? -1) > 50 })
    }

    /// Every bad input: one line on stderr, exit code 2.
    @Test(arguments: [
        (["knn", "--embeddings", "E", "--labels", "SHORT"], "holds 100 labels for 120 embeddings"),
        (["knn", "--embeddings", "NAN", "--labels", "L"], "hold NaN or Inf: ids '3'"),
        (["knn", "--embeddings", "E", "--labels", "L", "--k", "ten"], "--k 'ten': expected positive integers"),
        (["knn", "--embeddings", "E", "--labels", "L", "--protocol", "train-test"], "needs --train-embeddings"),
        (["knn", "--embeddings", "E", "--labels", "L", "--temperature", "0"], "--temperature must be > 0"),
        (["knn", "--embeddings", "E"], "--embeddings and --labels go together"),
        (["knn", "--dataset", "fashion-mnist"], "-m MODEL is required"),
        (["knn", "-m", "pixels", "--dataset", "/nonexistent"], "dataset '/nonexistent' not found"),
        (["knn", "-m", "pixels", "--dataset", "fashion-mnist", "--pooling", "max"], "unknown pooling 'max'"),
        (["knn", "--embeddings", "/nonexistent.npy", "--labels", "L"], "cannot read '/nonexistent.npy'"),
        (["knn", "--embeddings", "E", "--labels", "L", "--json", "/nonexistent/r.json"], "directory '/nonexistent' does not exist"),
        (["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--output", "/proc/embeval-out"], "cannot create output directory '/proc/embeval-out'"),
    ])
    func badInputIsOneLineAndExitCode2(arguments: [String], message: String) throws {
        let substitutions = ["E": path("e.npy"), "L": path("l.npy"), "SHORT": path("short.npy"), "NAN": path("nan.npy")]
        let r = try runEmbeval(arguments.map { substitutions[$0] ?? $0 })
        #expect(r.code == 2)
        #expect(r.err.hasPrefix("error: "))
        #expect(r.err.contains(message), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
    }

    @Test func embedWritesTheFourFilesNumpyCanRead() throws {
        let out = dir.appendingPathComponent("emb")
        let r = try runEmbeval(["embed", "-m", TestPaths.fixture("models/dinov2-reg-tiny").path,
                                "--dataset", TestPaths.fixture("models/images").path, "--output", out.path])
        #expect(r.code == 0, "\(r.err)")
        let e = try Embeddings.load(embeddings: out.appendingPathComponent("embeddings.npy"), labels: out.appendingPathComponent("labels.npy"))
        #expect(e.count == 4 && e.dimension == 32)
        #expect(e.ids == ["class_a/a1.png", "class_a/a2.jpg", "class_b/b1.png", "class_b/b2.jpg"])
        #expect(e.classes == ["class_a", "class_b"])
    }

    /// `--jpeg-draft` changes the JPEG rows only (PNGs decode in full), says so in the manifest, is refused when
    /// resuming an exact set, and warns when nothing is resized.
    @Test func jpegDraftChangesOnlyTheJPEGRowsAndIsRecorded() throws {
        let images = TestPaths.fixture("models/images").path
        let exact = dir.appendingPathComponent("exact"), draft = dir.appendingPathComponent("draft")
        for (out, extra) in [(exact, [String]()), (draft, ["--jpeg-draft"])] {
            let r = try runEmbeval(["embed", "-m", "pixels", "--image-size", "8", "--dataset", images, "--output", out.path] + extra)
            #expect(r.code == 0, "\(r.err)")
        }
        let ids = try String(contentsOf: exact.appendingPathComponent("ids.txt"), encoding: .utf8).split(separator: "\n")
        #expect(try String(contentsOf: draft.appendingPathComponent("ids.txt"), encoding: .utf8).split(separator: "\n") == ids)
        let a = try NumpyArray.readMatrix(at: exact.appendingPathComponent("embeddings.npy"))
        let b = try NumpyArray.readMatrix(at: draft.appendingPathComponent("embeddings.npy"))
        #expect(ids.count == 4 && a.rows == 4 && b.rows == 4)
        for (i, id) in ids.enumerated() {
            let same = a.row(i) == b.row(i)
            #expect(same == id.hasSuffix(".png"), "\(id)")
        }
        let manifest = try String(contentsOf: draft.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"jpeg_draft\" : true"))
        #expect(try !String(contentsOf: exact.appendingPathComponent("manifest.json"), encoding: .utf8).contains("jpeg_draft"))

        let resumed = try runEmbeval(["embed", "-m", "pixels", "--image-size", "8", "--jpeg-draft", "--dataset", images,
                                      "--output", exact.path, "--resume"])
        #expect(resumed.code == 2 && resumed.err.contains("other preprocessing"), "\(resumed.err)")
        let unresized = try runEmbeval(["embed", "-m", "pixels", "--jpeg-draft", "--dataset", TestPaths.fixture("models/images/class_b").path,
                                        "--output", dir.appendingPathComponent("unresized").path])
        #expect(unresized.err.contains("warning: --jpeg-draft does nothing for -m pixels without --image-size"), "\(unresized.err)")
    }

    @Test func seedCompatibleEvalRunsTheKNNEvaluation() throws {
        let r = try runEmbeval(["eval", "--task", "image-feature-extraction", "-m", TestPaths.fixture("models/vit-tiny").path,
                                "--model-id", "tiny/vit", "--dataset", TestPaths.fixture("models/images").path,
                                "--pooling", "cls,mean,gem"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("Evaluation: tiny/vit"))
        for pooling in ["cls ", "mean ", "gem "] { #expect(r.out.contains("│ \(pooling)")) }
        #expect(r.err.contains("k=10 exceeds the 3 candidate neighbours; capped to k=3"))
    }

    @Test func aMissingRuntimeLibrarySaysHowToGetIt() throws {
        let r = try runEmbeval(["knn", "-m", TestPaths.fixture("models/vit-tiny").path, "--dataset", TestPaths.fixture("models/images").path],
                               environment: ["EMBEVAL_ONNXRUNTIME": "/nonexistent/libonnxruntime.so"])
        #expect(r.code == 2)
        #expect(r.err.contains("run scripts/bootstrap or set EMBEVAL_ONNXRUNTIME="), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1)
    }
}
