import Foundation
import Testing
@testable import Embeval

/// Precomputed train and evaluated sets read from separate files share one class list, whichever command votes or
/// fits across them. Labels of 2²⁰ and more were ranked per file, so the same rank meant another class on each
/// side: linear and train-test kNN printed 0.00 % on well-separated classes, exit 0.
@Suite(.serialized) struct PrecomputedTrainTestTests {
    let dir = TestPaths.scratch("precomputed-train-test")

    /// A set of `labels` (one well-separated cluster per distinct label) in folder `name`, with `classes` beside it.
    func write(_ name: String, labels: [Int], classes: [String]? = nil) throws -> [String] {
        let folder = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var values = [Float]()
        for (i, label) in labels.enumerated() {
            let centre = (label >= 1_000_000 ? label / 1_000_000 : label) % 4   // the same on both sides
            values += (0..<4).map { Float($0 == centre ? 10 : 0) + Float(i % 3) * 0.01 }
        }
        try NumpyArray.write(Matrix(rows: labels.count, columns: 4, values: values), to: folder.appendingPathComponent("embeddings.npy"))
        try NumpyArray.write(labels: labels, to: folder.appendingPathComponent("labels.npy"))
        if let classes { try (classes.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("classes.txt"), atomically: true, encoding: .utf8) }
        return [folder.appendingPathComponent("embeddings.npy").path, folder.appendingPathComponent("labels.npy").path]
    }

    /// Exit code, stderr and the first result's top-1 accuracy.
    func run(_ command: String, test: [String], train: [String]) throws -> (code: Int32, err: String, top1: Double?) {
        let json = dir.appendingPathComponent("\(UUID().uuidString).json").path
        var arguments = [command, "--embeddings", test[0], "--labels", test[1], "--train-embeddings", train[0], "--train-labels", train[1], "--json", json]
        arguments += command == "knn" ? ["--protocol", "train-test", "--k", "3"] : ["--C", "1"]
        let r = try runEmbeval(arguments)
        let report = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))) as? [String: Any]
        let first = (report?["results"] as? [[String: Any]])?.first
        return (r.code, r.err, first?["top1_accuracy"] as? Double)
    }

    @Test(arguments: ["linear", "knn"])
    func largeLabelsAreTheSameClassesOnBothSides(command: String) throws {
        let big = [2_000_000, 3_000_000, 4_000_000]
        let train = try write("big-train-\(command)", labels: (0..<30).map { big[$0 % 3] })
        let test = try write("big-test-\(command)", labels: (0..<12).map { big[1 + $0 % 2] })
        let r = try run(command, test: test, train: train)
        #expect(r.code == 0 && r.top1 == 100, "\(r.err) \(String(describing: r.top1))")
        #expect(command != "linear" || r.err.contains("3 classes are trained: top-5 accuracy is 100% by construction"), "\(r.err)")

        // Small labels, the evaluated set without the largest class: the ids are the classes themselves.
        let smallTrain = try write("small-train-\(command)", labels: (0..<30).map { $0 % 3 })
        let smallTest = try write("small-test-\(command)", labels: (0..<12).map { $0 % 2 })
        let s = try run(command, test: smallTest, train: smallTrain)
        #expect(s.code == 0 && s.top1 == 100, "\(s.err) \(String(describing: s.top1))")
    }

    /// A `classes.txt` on one side only names the other side's label numbers too (a folder `embed` wrote against a bare
    /// `.npy` with `--train-labels`): the labels are the same ids.
    @Test func classNamesOnOneSideNameTheOther() throws {
        let train = try write("bare-train", labels: (0..<30).map { $0 % 3 })
        let test = try write("named-test", labels: (0..<12).map { $0 % 3 }, classes: ["cat", "dog", "bird"])
        let r = try run("knn", test: test, train: train)
        #expect(r.code == 0 && r.top1 == 100, "\(r.err)")
    }

    /// The audit's train embeddings need no labels (leaks need none), and an audited set with fewer classes than its
    /// train set still writes a report that reads back (classes with no audited sample have no purity: null).
    @Test func auditTrainSetsWithOrWithoutLabels() throws {
        let train = try write("audit-train", labels: (0..<30).map { $0 % 5 })
        let test = try write("audit-test", labels: (0..<12).map { $0 % 2 })
        for arguments in [["--train-embeddings", train[0]], ["--train-embeddings", train[0], "--train-labels", train[1]]] {
            let json = dir.appendingPathComponent("\(UUID().uuidString).json")
            let r = try runEmbeval(["audit", "--embeddings", test[0], "--labels", test[1], "--json", json.path] + arguments)
            #expect(r.code == 0, "\(r.err)")
            let report = try AuditReport.read(from: json)
            #expect(report.classes.contains { $0.samples == 0 && $0.neighbourPurity.isNaN } == (arguments.count == 4))
        }
    }

    /// Class names that differ (another order, another set) would pair the labels of different classes: refused, as
    /// for a train split of a dataset.
    @Test(arguments: ["linear", "knn"])
    func classNamesThatDifferAreRefused(command: String) throws {
        let train = try write("named-train-\(command)", labels: (0..<30).map { $0 % 3 }, classes: ["cat", "dog", "bird"])
        let test = try write("named-test-\(command)", labels: (0..<12).map { $0 % 3 }, classes: ["dog", "bird", "cat"])
        let r = try run(command, test: test, train: train)
        #expect(r.code == 2 && r.top1 == nil)
        #expect(r.err.contains("the train embeddings have classes [\"cat\", \"dog\", \"bird\"]") && r.err.contains("but the evaluated ones have [\"dog\", \"bird\", \"cat\"]: they must match"), "\(r.err)")
    }

    /// -m beside --embeddings: both give the embeddings, and -m was silently ignored (a model card mixed the saved rows'
    /// kNN with the model's zero-shot figures on another dataset).
    @Test(arguments: ["knn", "linear", "cluster", "retrieval", "audit", "explore", "eval"])
    func aModelBesideSavedRowsIsRefused(command: String) throws {
        let set = try write("saved-\(command)", labels: (0..<30).map { $0 % 3 })
        var arguments = [command, "-m", "pixels", "--embeddings", set[0], "--labels", set[1]]
        if command == "eval" { arguments += ["--protocols", "knn"] }
        if command == "linear" { arguments += ["--train-embeddings", set[0], "--train-labels", set[1]] }
        if command == "explore" { arguments += ["--method", "pca", "--out", dir.appendingPathComponent("maps-\(command)").path] }
        let r = try runEmbeval(arguments)
        #expect(r.code == 2 && r.err.contains("-m pixels and --embeddings both give the embeddings"), "\(command): \(r.err)")
    }
}
