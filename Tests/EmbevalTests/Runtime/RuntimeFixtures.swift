import Foundation
@testable import Embeval

/// Paths and reference values of the fixtures written by tools/fixtures/runtime.py.
enum RuntimeFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("runtime")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    struct TensorJSON: Decodable {
        var shape: [Int]
        var values: [Double]
        var floatTensor: Tensor { Tensor(shape: shape, values: values.map { Float($0) }) }
    }

    struct ModelJSON: Decodable {
        var sha256: String?
        var inputs: [String: TensorJSON]
        var outputs: [String: TensorJSON]
    }

    struct References: Decodable {
        var models: [String: ModelJSON]
        var sha256: [String: String]
    }

    static let references: References = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("references.json"))
        return try! JSONDecoder().decode(References.self, from: data)
    }()

    static func maxAbsDifference(_ a: [Float], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        return zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
    }
}
