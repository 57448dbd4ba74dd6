import Foundation
import Testing
@testable import Embeval

/// `linear`, `cluster` and `retrieval` end to end: their tables and JSON equal the scikit-learn/numpy references
/// (tools/fixtures/protocols.py), and bad input is one line with exit code 2.
@Suite(.serialized) struct ProtocolCommandTests {
    let dir = TestPaths.scratch("protocols")
    static func fixture(_ p: String) -> String { TestPaths.fixture("protocols/\(p)").path }
    static let precomputed = ["--embeddings", fixture("test_embeddings.npy"), "--labels", fixture("test_labels.npy")]
    static let train = ["--train-embeddings", fixture("train_embeddings.npy"), "--train-labels", fixture("train_labels.npy")]
    static let clip = ["-m", "image-encoder=\(TestPaths.repository.path)/tools/demo_model/fashion-clip/image-encoder",
                       "-m", "text-encoder=\(TestPaths.repository.path)/tools/demo_model/fashion-clip/text-encoder"]

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    func results(_ object: [String: Any]) -> [[String: Any]] { object["results"] as? [[String: Any]] ?? [] }

    @Test func linearAtAFixedCEqualsScikitLearn() throws {
        let out = dir.appendingPathComponent("linear.json").path
        let r = try runEmbeval(["linear"] + Self.precomputed + Self.train + ["--C", "1", "--json", out])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("Mean class recall (%)"))
        let reference = ProtocolParityTests.expected.linear.grid.first { $0.C == 1 }
        let object = try json(out)
        #expect(object["task"] as? String == "linear")
        let row = results(object).first ?? [:]
        #expect(Set(row.keys) == ["pooling", "C", "top1_accuracy", "top5_accuracy", "mean_per_class_recall"])
        #expect(abs((row["top1_accuracy"] as? Double ?? -1) - (reference?.top1_accuracy ?? -2)) <= 0.05)
        #expect(abs((row["mean_per_class_recall"] as? Double ?? -1) - (reference?.mean_per_class_recall ?? -2)) <= 0.05)
        #expect((object["validation"] as? [Any])?.isEmpty == true, "a fixed C has no validation curve")
    }

    @Test func fewShotReportsMeanAndSpreadOverDraws() throws {
        let out = dir.appendingPathComponent("few.json").path
        let r = try runEmbeval(["linear"] + Self.precomputed + Self.train + ["--shots", "1,2,4", "--tries", "3", "--json", out])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains(" ± "))
        let rows = results(try json(out))
        #expect(rows.map { $0["shots"] as? Int } == [1, 2, 4])
        for (row, reference) in zip(rows, ProtocolParityTests.expected.linear.few_shot) {
            #expect(abs((row["top1_accuracy"] as? Double ?? -1) - reference.top1_accuracy) <= 0.05)
            let std = row["std"] as? [String: Double] ?? [:]
            #expect(abs((std["top1_accuracy"] ?? -1) - reference.std.top1_accuracy) <= 0.05)
        }
    }

    @Test func clusterReportsScoresInTheirUnits() throws {
        let out = dir.appendingPathComponent("cluster.json").path
        let r = try runEmbeval(["cluster"] + Self.precomputed + ["--json", out])
        #expect(r.code == 0, "\(r.err)")
        let row = results(try json(out)).first ?? [:]
        for key in ["nmi", "ari", "v_measure"] { #expect((0...1).contains(row[key] as? Double ?? -1), "\(key)") }
        #expect((row["cluster_accuracy"] as? Double ?? 0) > 1, "cluster accuracy is a percentage")
        #expect(row["clusters"] as? Int == 10)
        // MIEB's variant and a chosen k.
        let mini = try runEmbeval(["cluster"] + Self.precomputed + ["--minibatch", "--clusters", "12"])
        #expect(mini.code == 0, "\(mini.err)")
        #expect(mini.out.contains("minibatch-kmeans"))
        #expect(mini.out.contains("│ precomputed │ 12 │"), "\(mini.out)")
    }

    @Test func imageRetrievalEqualsNumpy() throws {
        let out = dir.appendingPathComponent("retrieval.json").path
        let r = try runEmbeval(["retrieval"] + Self.precomputed + ["--json", out])
        #expect(r.code == 0, "\(r.err)")
        let row = results(try json(out)).first ?? [:]
        #expect(row["direction"] as? String == "image-to-image")
        let reference = ProtocolParityTests.expected.retrieval_image
        let recall = row["recall_at_k"] as? [String: Double] ?? [:]
        #expect(recall.keys.sorted() == ["1", "10", "5"])
        for (k, value) in reference.recall_at_k { #expect(abs((recall[k] ?? -1) - value) <= 1e-9, "R@\(k)") }
        #expect(abs((row["map_at_r"] as? Double ?? -1) - reference.map_at_r) <= 1e-9)
    }

    /// The two-tower model over the captioned manifest: the same recalls as numpy on onnxruntime's embeddings.
    @Test func imageTextRetrievalFromAManifestEqualsNumpy() throws {
        let out = dir.appendingPathComponent("captions.json").path
        let r = try runEmbeval(["retrieval"] + Self.clip + ["--dataset", Self.fixture("captioned/manifest.jsonl"), "--json", out])
        #expect(r.code == 0, "\(r.err)")
        let object = try json(out)
        #expect(object["captions"] as? Int == 120)
        let reference = ProtocolParityTests.expected.retrieval_text.recall_at_k
        for row in results(object) {
            let direction = row["direction"] as? String ?? ""
            let recall = row["recall_at_k"] as? [String: Double] ?? [:]
            for (k, value) in reference[direction] ?? [:] { #expect(abs((recall[k] ?? -1) - value) <= 1e-9, "\(direction) R@\(k)") }
        }
        #expect(results(object).count == 2)
    }

    /// Bad input: one line naming the problem, exit code 2.
    @Test(arguments: [
        ("single-class", "needs at least 2 classes"),
        ("few-shots", "class '1' has 1"),
        ("no-captions", "has no captions"),
        ("too-many-clusters", "--clusters must be at most the 500 samples"),
        ("no-train", "the linear probe trains on a train set"),
        ("bad-C", "--C must be > 0"),
        ("bad-recall", "--recall-k '0'"),
    ])
    func badProtocolInputIsOneLineAndExitCode2(problem: String, message: String) throws {
        let single = dir.appendingPathComponent("single.npy"), scarce = dir.appendingPathComponent("scarce.npy")
        try NumpyArray.write(labels: [Int](repeating: 3, count: 500), to: single)
        try NumpyArray.write(labels: [0, 1] + [Int](repeating: 0, count: 998), to: scarce)
        let plain = dir.appendingPathComponent("plain.jsonl")
        try #"{"path": "\#(Self.fixture("captioned/images/0000.png"))", "label": 0}"#.write(to: plain, atomically: true, encoding: .utf8)
        let arguments: [String]
        switch problem {
        case "single-class": arguments = ["cluster", "--embeddings", Self.fixture("test_embeddings.npy"), "--labels", single.path]
        case "few-shots": arguments = ["linear"] + Self.precomputed + ["--train-embeddings", Self.fixture("train_embeddings.npy"),
                                                                      "--train-labels", scarce.path, "--shots", "2"]
        case "no-captions": arguments = ["retrieval"] + Self.clip + ["--dataset", plain.path]
        case "too-many-clusters": arguments = ["cluster"] + Self.precomputed + ["--clusters", "501"]
        case "no-train": arguments = ["linear"] + Self.precomputed
        case "bad-C": arguments = ["linear"] + Self.precomputed + Self.train + ["--C", "-1"]
        default: arguments = ["retrieval"] + Self.precomputed + ["--recall-k", "0"]
        }
        let r = try runEmbeval(arguments)
        #expect(r.code == 2, "\(problem): \(r.out)")
        #expect(r.err.contains(message), "\(problem): \(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
    }
}
