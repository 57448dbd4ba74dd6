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

/// The member-by-member reader takes what `JSONEncoder` wrote too, in another key order and pretty-printed, and
/// reads every number as `JSONDecoder` reads it.
@Test(arguments: MapMethod.allCases)
func aSavedMapReadsAlikeWhateverItsLayout(method: MapMethod) throws {
    let (x, _) = clusteredEmbeddings(rows: 150, columns: 12, classes: 3, seed: 24)
    var builder = MapBuilder()
    builder.pcaDimensions = 8
    let saved = try builder.build(method, input: builder.input(x), width: x.columns).saved
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let url = TestPaths.scratch().appendingPathComponent("pretty.map")
    let pretty = try encoder.encode(saved)
    try pretty.write(to: url)
    let loaded = try SavedMap.load(from: url), decoded = try JSONDecoder().decode(SavedMap.self, from: pretty)
    #expect(loaded.umap == decoded.umap && loaded.tsneReference == decoded.tsneReference && loaded.tsneMap == decoded.tsneMap)
    #expect(loaded.pcaMean == decoded.pcaMean && loaded.pcaComponents == decoded.pcaComponents && loaded.pcaRank == decoded.pcaRank)
    #expect(loaded.method == method && loaded.dimensions == decoded.dimensions && loaded.normalized == decoded.normalized)
}

@Test func theReaderRoundsNumbersAsJSONDecoderDoes() throws {
    let text = "[0, -0, 1E5, 1e-45, 3.4028235e38, 0.1, -2.5e-3, 16777217, 0.30000001192092896, 123456789012]"
    var reader = JSONReader(Array(text.utf8))
    #expect(try reader.readFloats() == JSONDecoder().decode([Float].self, from: Data(text.utf8)))
    let integers = "[0, -1, 2147483647, -2147483648, 42]"
    reader = JSONReader(Array(integers.utf8))
    #expect(try reader.readInt32s() == [0, -1, 2_147_483_647, -2_147_483_648, 42])
}

/// Broken documents are refused as a `JSONReader.Problem` (never a trap): cut short anywhere, numbers that are not
/// numbers or do not fit, structure that does not close, and trailing bytes.
@Test func theReaderRefusesBrokenDocuments() throws {
    let floats = ["", "[", "[1", "[1,", "[1,]", "[,1]", "[1 2]", "[1.2.3]", "[--1]", "[e5]", "[1e]", "[inf]", "[nan]",
                  "[\"1\"]", "[" + String(repeating: "1", count: 80) + "]", "{}", "[1}", "[1]x"]
    for text in floats {
        var reader = JSONReader(Array(text.utf8))
        #expect(throws: JSONReader.Problem.self, "\(text.prefix(20))") { _ = try reader.readFloats(); try reader.end() }
    }
    for text in ["[2147483648]", "[-2147483649]", "[1.5]", "[-]", "[99999999999999999999]", "[1e3]"] {
        var reader = JSONReader(Array(text.utf8))
        #expect(throws: JSONReader.Problem.self, "\(text)") { _ = try reader.readInt32s() }
    }
    for text in ["", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,}", "{\"a\":[1,{]}", "{\"a\":\"x}", "{\"a\" 1}", "{1:2}",
                 "{\"a\":]}", "{\"a\":1}}"] {
        var reader = JSONReader(Array(text.utf8))
        #expect(throws: JSONReader.Problem.self, "\(text)") { try reader.readObject { _, _ in }; try reader.end() }
    }
    var reader = JSONReader(Array(" { \"skip\" : {\"deep\": [1, {\"x\": \"]}\"}]}, \"n\": [1, 2] } ".utf8))
    var read = [Float]()
    try reader.readObject { key, member in if key == "n" { read = try member.readFloats() } }
    try reader.end()
    #expect(read == [1, 2])
}

/// A neighbour graph that would not fit in memory is refused before it is built, naming the setting to lower and how
/// far: `--perplexity 6666` on 20,001 points asked t-SNE for 19,998 neighbours a point and crashed on a failed 3 GB
/// allocation under an 8 GB limit. 200 points with perplexity 30 (90 neighbours) take about 40 × 200 × 90 = 720,000
/// bytes, past half of a 1 MB budget; UMAP's 15 neighbours take 72 × 200 × 15 = 216,000, within it.
@Test func aNeighbourGraphThatWouldOutgrowMemoryIsRefused() throws {
    let (x, _) = clusteredEmbeddings(rows: 200, columns: 12, classes: 3, seed: 24)
    var builder = MapBuilder()
    builder.pcaDimensions = 8
    builder.memoryBytes = 1_000_000
    let input = try builder.input(x)
    #expect(throws: ProjectionError.tooLargeForMemory(method: "t-SNE with perplexity 30.0", points: 200, neighbours: 90, needed: 720_000,
                                                      available: 1_000_000, remedy: "lower --perplexity to 20 or less")) {
        try builder.build(.tsne, input: input, width: x.columns)
    }
    #expect(try builder.build(.umap, input: input, width: x.columns).coordinates.rows == 200)
    builder.neighbors = 50
    #expect(throws: ProjectionError.tooLargeForMemory(method: "UMAP with --neighbors 50", points: 200, neighbours: 50, needed: 720_000,
                                                      available: 1_000_000, remedy: "lower --neighbors to 34 or less")) {
        try builder.build(.umap, input: input, width: x.columns)
    }
    builder.memoryBytes = 4_000_000
    #expect(try builder.build(.tsne, input: input, width: x.columns).coordinates.rows == 200)
    let message = "\(ProjectionError.tooLargeForMemory(method: "t-SNE with perplexity 6666.0", points: 20_001, neighbours: 19_998, needed: 15_999_199_920, available: 8_192_000_000, remedy: "lower --perplexity to 1706 or less"))"
    #expect(message == "t-SNE with perplexity 6666.0: 19998 neighbours for each of 20001 points would take about 16.0 GB, more than half of the 8.2 GB this process may use (lower --perplexity to 1706 or less)", "\(message)")
}
