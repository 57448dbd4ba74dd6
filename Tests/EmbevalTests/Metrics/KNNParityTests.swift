import Foundation
import Testing
@testable import Embeval

/// kNN accuracies equal to the plain numpy reference (tools/fixtures/knn.py) for both protocols, every weighting
/// and k ∈ {1, 5, 10, 20}.
struct KNNParityTests {
    struct Expected: Decodable {
        struct Row: Decodable { let `protocol`: String; let k: Int; let weighting: String; let top1: Double; let top5: Double }
        struct Predictions: Decodable { let k: Int; let weighting: String; let top1: [Int] }
        let results: [Row]
        let predictions: [String: Predictions]
        let temperature: Double
    }

    static let expected = try! JSONDecoder().decode(Expected.self, from: Data(contentsOf: TestPaths.fixture("knn/expected.json")))

    static func load(_ name: String) throws -> Embeddings {
        try Embeddings.load(embeddings: TestPaths.fixture("knn/\(name)_embeddings.npy"),
                            labels: TestPaths.fixture("knn/\(name)_labels.npy"))
    }

    @Test(arguments: VoteWeighting.allCases)
    func accuraciesEqualTheNumpyReference(weighting: VoteWeighting) throws {
        let loo = try Self.load("loo"), train = try Self.load("train"), test = try Self.load("test")
        for (proto, evaluation) in [
            ("loo", try KNNEvaluation(loo, ks: [1, 5, 10, 20], weighting: weighting, temperature: Self.expected.temperature)),
            ("train_test", try KNNEvaluation(test, train: train, ks: [1, 5, 10, 20], weighting: weighting, temperature: Self.expected.temperature)),
        ] {
            for result in evaluation.results {
                let reference = Self.expected.results.first {
                    $0.protocol.replacingOccurrences(of: "-", with: "_") == proto && $0.k == result.k && $0.weighting == weighting.rawValue
                }
                #expect(reference != nil, "no reference for \(proto) k=\(result.k) \(weighting)")
                #expect(abs(result.top1Accuracy - (reference?.top1 ?? -1)) < 1e-9, "\(proto) k=\(result.k) \(weighting) top-1")
                #expect(abs(result.top5Accuracy - (reference?.top5 ?? -1)) < 1e-9, "\(proto) k=\(result.k) \(weighting) top-5")
            }
        }
    }

    @Test func perSamplePredictionsEqualTheNumpyReference() throws {
        for (key, predictions) in Self.expected.predictions {
            let weighting = VoteWeighting(rawValue: predictions.weighting)!
            let evaluation = key == "loo"
                ? try KNNEvaluation(Self.load("loo"), ks: [predictions.k], weighting: weighting, temperature: Self.expected.temperature)
                : try KNNEvaluation(Self.load("test"), train: Self.load("train"), ks: [predictions.k], weighting: weighting,
                                    temperature: Self.expected.temperature)
            #expect(evaluation.results[0].predictions == predictions.top1, "\(key)")
        }
    }
}
