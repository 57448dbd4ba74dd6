import Foundation
import Testing
@testable import Embeval

/// A saved map's file streams its arrays to disk: it must hold exactly what `JSONEncoder` would write, load back
/// to the same map, and be written whole or not at all.

private func json(_ data: Data) throws -> NSDictionary {
    try #require(JSONSerialization.jsonObject(with: data) as? NSDictionary)
}

@Test(arguments: MapMethod.allCases)
func aSavedMapFileHoldsWhatJSONEncoderWritesAndLoadsBackTheSame(method: MapMethod) throws {
    let (x, _) = clusteredEmbeddings(rows: 150, columns: 12, classes: 3, seed: 21)
    var builder = MapBuilder()
    builder.pcaDimensions = 8
    let input = try builder.input(x)
    let saved = try builder.build(method, input: input, width: x.columns).saved
    let url = TestPaths.scratch().appendingPathComponent("\(method.rawValue).map")
    try saved.write(to: url)

    let streamed = try Data(contentsOf: url)
    #expect(try json(streamed) == json(JSONEncoder().encode(saved)))
    let loaded = try SavedMap.load(from: url)
    #expect(loaded.umap == saved.umap && loaded.tsneReference == saved.tsneReference && loaded.tsneMap == saved.tsneMap)
    #expect(loaded.pcaMean == saved.pcaMean && loaded.pcaComponents == saved.pcaComponents)
    let (new, _) = clusteredEmbeddings(rows: 6, columns: 12, classes: 3, seed: 22)
    #expect(try loaded.add(new) == saved.add(new))
}

@Test func aNonFiniteValueRefusesTheWriteNamingItAndKeepsTheOldFile() throws {
    let (x, _) = clusteredEmbeddings(rows: 120, columns: 12, classes: 3, seed: 23)
    var builder = MapBuilder()
    builder.pcaDimensions = 8
    var saved = try builder.build(.tsne, input: builder.input(x), width: x.columns).saved
    let directory = TestPaths.scratch()
    let url = directory.appendingPathComponent("tsne.map")
    try saved.write(to: url)
    let before = try Data(contentsOf: url)

    // Far past the first megabyte, so part of the file has been written when the value is met.
    saved.tsneReference = [Float](repeating: 0.123456, count: 400_000) + [.infinity]
    saved.tsneMap = [Float](repeating: 0, count: (400_001 / 8) * 2)
    #expect(throws: OutputError.cannotWrite(path: url.path, reason: "tsneReference[400000] is inf, which JSON cannot hold")) {
        try saved.write(to: url)
    }
    #expect(try Data(contentsOf: url) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["tsne.map"])
}

@Test func aStreamedWriteThatFailsLeavesNoFile() throws {
    struct Stop: Error {}
    let url = TestPaths.scratch().appendingPathComponent("out.bin")
    #expect(throws: OutputError.self) {
        try OutputFile(url.path).write { emit in
            try emit([UInt8](repeating: 7, count: 3 << 20))
            throw Stop()
        }
    }
    #expect(!FileManager.default.fileExists(atPath: url.path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path).isEmpty)
    try OutputFile(url.path).write { emit in
        try emit([UInt8]("ab".utf8))
        try emit(Data("cd".utf8))
    }
    #expect(try String(contentsOf: url, encoding: .utf8) == "abcd")
}
