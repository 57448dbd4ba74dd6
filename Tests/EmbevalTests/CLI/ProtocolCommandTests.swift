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
        #expect((object["parameters"] as? [String: Any])?["precision"] as? String == "float64")
        #expect(!r.out.contains("Precision:"), "the default precision is not announced")
    }

    /// `--precision float32` fits as scikit-learn does on float32 rows, and the report says which precision ran.
    @Test func linearInFloat32EqualsScikitLearnOnFloat32Rows() throws {
        let out = dir.appendingPathComponent("linear32.json").path
        let r = try runEmbeval(["linear"] + Self.precomputed + Self.train + ["--C", "1", "--precision", "float32", "--json", out])
        #expect(r.code == 0, "\(r.err)")
        let reference = ProtocolParityTests.expected.linear.grid_float32.first { $0.C == 1 }
        let object = try json(out)
        #expect((object["parameters"] as? [String: Any])?["precision"] as? String == "float32")
        #expect(r.out.contains("Precision: float32"), "\(r.out)")
        let row = results(object).first ?? [:]
        #expect(abs((row["top1_accuracy"] as? Double ?? -1) - (reference?.top1_accuracy ?? -2)) <= 0.4)
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

    /// Few-shot kNN votes with the drawn train samples only: DINO's vote in numpy on the same draws.
    @Test func fewShotKNNEqualsNumpyOnTheSameDraws() throws {
        let out = dir.appendingPathComponent("knn-few.json").path
        let r = try runEmbeval(["knn"] + Self.precomputed + Self.train + ["--shots", "1,2,4", "--tries", "3", "--json", out])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("Shots") && r.out.contains(" ± "), "\(r.out)")
        #expect(r.err.contains("1 shot(s): k=20 exceeds the 10 candidate neighbours"), "\(r.err)")
        let object = try json(out)
        #expect(object["protocol"] as? String == "train-test")
        let rows = results(object)
        #expect(rows.map { $0["shots"] as? Int } == [1, 2, 4])
        for (row, reference) in zip(rows, ProtocolParityTests.expected.knn_few_shot) {
            #expect(abs((row["top1_accuracy"] as? Double ?? -1) - reference.top1_accuracy) <= 1e-9, "\(reference.shots) shots")
            #expect(abs((row["top5_accuracy"] as? Double ?? -1) - reference.top5_accuracy) <= 1e-9, "\(reference.shots) shots")
            let std = row["std"] as? [String: Double] ?? [:]
            #expect(abs((std["top1_accuracy"] ?? -1) - reference.std.top1_accuracy) <= 1e-9)
        }
        let bad = try runEmbeval(["knn"] + Self.precomputed + Self.train + ["--shots", "1", "--protocol", "loo"])
        #expect(bad.code == 2 && bad.err.contains("--shots"), "\(bad.err)")
    }

    /// compare --task linear|cluster|retrieval: a model against itself passes with zero deltas, against a damaged
    /// copy it fails; each in its metric's unit.
    @Test(arguments: [("linear", "top1_accuracy"), ("cluster", "nmi"), ("retrieval", "map_at_r")])
    func compareRunsTheNewProtocols(task: String, metric: String) throws {
        let damaged = dir.appendingPathComponent("damaged-\(task).npy"), damagedTrain = dir.appendingPathComponent("damaged-train-\(task).npy")
        for (source, target) in [("test_embeddings.npy", damaged), ("train_embeddings.npy", damagedTrain)] {
            let m = try NumpyArray.readMatrix(at: URL(fileURLWithPath: Self.fixture(source)))
            // Two rows in five replaced by noise: every protocol's figure drops far past the tolerance.
            var generator = SeededGenerator(seed: 7)
            let noisy = m.values.enumerated().map { i, v in (i / m.columns) % 5 < 2 ? Float.random(in: -1...1, using: &generator) : v }
            try NumpyArray.write(Matrix(rows: m.rows, columns: m.columns, values: noisy), to: target)
        }
        let labels = ["--labels", Self.fixture("test_labels.npy"), "--train-labels", Self.fixture("train_labels.npy")]
        func compare(_ candidate: URL, _ candidateTrain: URL) throws -> (code: Int32, out: String, err: String, json: [String: Any]) {
            let out = dir.appendingPathComponent("compare-\(task).json").path
            let r = try runEmbeval(["compare", "--task", task, "--baseline-embeddings", Self.fixture("test_embeddings.npy"),
                                    "--candidate-embeddings", candidate.path,
                                    "--baseline-train-embeddings", Self.fixture("train_embeddings.npy"),
                                    "--candidate-train-embeddings", candidateTrain.path, "--bootstrap", "300", "--C", "1", "--json", out] + labels)
            return (r.code, r.out, r.err, try json(out))
        }
        let same = try compare(URL(fileURLWithPath: Self.fixture("test_embeddings.npy")), URL(fileURLWithPath: Self.fixture("train_embeddings.npy")))
        #expect(same.code == 0, "\(same.err)\n\(same.out)")
        let metrics = same.json["metrics"] as? [[String: Any]] ?? []
        let row = metrics.first { $0["name"] as? String == metric } ?? [:]
        #expect(row["delta"] as? Double == 0, "\(metrics)")
        #expect(same.out.contains("PASS"))
        let worse = try compare(damaged, damagedTrain)
        #expect(worse.code == 1, "\(worse.err)\n\(worse.out)")
        #expect(worse.out.contains("FAIL"))
    }

    /// eval --protocols: one table whose figures are the ones each command prints on its own.
    @Test func evalProtocolsIsOneTableOfTheCommandsFigures() throws {
        let out = dir.appendingPathComponent("card.json").path
        let r = try runEmbeval(["eval", "--protocols", "knn,linear,cluster,retrieval"] + Self.precomputed + Self.train + ["--C", "1", "--json", out])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("Model card"), "\(r.out)")
        let card = try json(out)
        #expect(card["task"] as? String == "model-card")
        let rows = results(card)
        func value(_ p: String, _ metric: String) -> Double? {
            rows.first { $0["protocol"] as? String == p && $0["metric"] as? String == metric }?["value"] as? Double
        }
        for (command, extra, metric, key) in [("linear", Self.train + ["--C", "1"], "linear", "top1_accuracy"),
                                              ("knn", Self.train + ["--protocol", "train-test"], "knn", "top1_accuracy"),
                                              ("cluster", [], "cluster", "nmi")] {
            let single = dir.appendingPathComponent("\(command).json").path
            let s = try runEmbeval([command] + Self.precomputed + extra + ["--json", single])
            #expect(s.code == 0, "\(s.err)")
            #expect(value(metric, key) == results(try json(single)).first?[key] as? Double, "\(command)")
        }
        let recall = value("retrieval", "recall@1")
        #expect(recall.map { abs($0 - (ProtocolParityTests.expected.retrieval_image.recall_at_k["1"] ?? -1)) <= 1e-9 } == true)
        let bad = try runEmbeval(["eval", "--protocols", "knn,zeroshot"] + Self.precomputed)
        #expect(bad.code == 2 && bad.err.contains("zeroshot needs a two-tower model"), "\(bad.err)")
        let unknown = try runEmbeval(["eval", "--protocols", "knn,probe"] + Self.precomputed)
        #expect(unknown.code == 2 && unknown.err.contains("probe"), "\(unknown.err)")
    }

    /// A k that reaches every candidate scores 100 % whatever the embeddings: the run says so.
    @Test func aRecallKPastTheCandidatesIsFlagged() throws {
        let r = try runEmbeval(["retrieval"] + Self.precomputed + ["--recall-k", "5,499"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.contains("k=499 reaches all 499 candidates, so recall@499 is 100% by construction"), "\(r.err)")
        #expect(!r.err.contains("k=5 "), "\(r.err)")
    }

    /// Bad input: one line naming the problem, exit code 2.
    @Test(arguments: [
        ("single-class", "needs at least 2 classes"),
        ("few-shots", "class '1' has 1"),
        ("no-captions", "has no captions"),
        // A path listed twice: both copies' captions went to the first, and the second was scored with none (66.67 %).
        ("repeated-image", "image ↔ text retrieval: sample '\(ProtocolCommandTests.fixture("captioned/images/0000.png"))' is listed twice"),
        ("too-many-clusters", "--clusters must be at most the 500 samples"),
        ("no-train", "the linear probe trains on a train set"),
        ("bad-C", "--C must be > 0"),
        ("bad-precision", "Please provide one of 'float64' and 'float32'"),
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
        case "repeated-image":
            let repeated = dir.appendingPathComponent("repeated.jsonl")
            let image = Self.fixture("captioned/images/0000.png"), other = Self.fixture("captioned/images/0001.png")
            try [#"{"path": "\#(image)", "captions": ["a photo of a light ankle boot"]}"#, #"{"path": "\#(image)", "captions": ["ankle boot, catalogue item 0"]}"#,
                 #"{"path": "\#(other)", "captions": ["a photo of a plain pullover"]}"#].joined(separator: "\n").write(to: repeated, atomically: true, encoding: .utf8)
            arguments = ["retrieval"] + Self.clip + ["--dataset", repeated.path]
        case "too-many-clusters": arguments = ["cluster"] + Self.precomputed + ["--clusters", "501"]
        case "no-train": arguments = ["linear"] + Self.precomputed
        case "bad-C": arguments = ["linear"] + Self.precomputed + Self.train + ["--C", "-1"]
        case "bad-precision": arguments = ["linear"] + Self.precomputed + Self.train + ["--precision", "float16"]
        default: arguments = ["retrieval"] + Self.precomputed + ["--recall-k", "0"]
        }
        let r = try runEmbeval(arguments)
        #expect(r.code == 2, "\(problem): \(r.out)")
        #expect(r.err.contains(message), "\(problem): \(r.err)")
        #expect(r.err.split(separator: "\n").filter { !$0.hasPrefix("warning: ") }.count == 1, "\(r.err)")   // warnings may precede it
    }
}
