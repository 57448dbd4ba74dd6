import Foundation
import Testing
@testable import Embeval

/// Intermediate layers from the user's own export (issue 13): the blocks `BackboneAnatomy` finds by structure give
/// PyTorch's `output_hidden_states` within 1e-5, raw and through the final LayerNorm, for transformers, opset-14
/// (decomposed LayerNorm), dynamo, timm and external-data exports (tools/fixtures/layers.py).
struct IntermediateLayerTests {
    static let root = TestPaths.fixture("layers")

    /// The models the fixture script wrote, with their block count and register tokens, from its manifest.
    struct Fixture: CustomStringConvertible {
        var name: String
        var blocks: Int
        var registers: Int
        var hasFinalNorm: Bool
        var description: String { name }
        var folder: URL { IntermediateLayerTests.root.appendingPathComponent(name) }
        func reference(_ file: String) throws -> Tensor {
            try NumpyArray.readTensor(at: folder.appendingPathComponent("reference/\(file).npy"))
        }
    }

    static let fixtures: [Fixture] = {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent("manifest.json").path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let models = json["models"] as? [String: [String: Any]] else { return [] }
        return models.keys.sorted().compactMap { name in
            guard let entry = models[name], let blocks = entry["blocks"] as? Int, blocks > 0 else { return nil }
            return Fixture(name: name, blocks: blocks, registers: entry["num_register_tokens"] as? Int ?? 0,
                           hasFinalNorm: FileManager.default.fileExists(atPath: root.appendingPathComponent("\(name)/reference/hidden_states_normed.npy").path))
        }
    }()

    static func maxDifference(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test func theFixtureHoldsEveryFamily() {
        let names = Set(Self.fixtures.map(\.name))
        for family in ["vit", "dinov2", "dinov2-reg", "clip-vision", "vit-rect", "vit-opset14", "vit-external"] {
            #expect(names.contains(family), "tools/fixtures/layers.py wrote no '\(family)'")
        }
    }

    /// Every block output (and the embeddings feeding block 0) equals PyTorch's hidden_states, and the final norm
    /// read from the graph's initialisers gives `hidden_states_normed`.
    @Test(arguments: fixtures)
    func blockOutputsEqualPyTorchHiddenStates(_ fixture: Fixture) throws {
        let graph = try OnnxGraph(contentsOf: fixture.folder.appendingPathComponent("model.onnx").path)
        let anatomy = BackboneAnatomy(graph: graph)
        #expect(anatomy.blocks == fixture.blocks)
        guard anatomy.blocks == fixture.blocks else { return }
        let session = try InferenceSession(model: .bytes(graph.addingOutputs(anatomy.hiddenStates),
                                                          path: fixture.folder.appendingPathComponent("model.onnx").path), threads: 1)
        let pixels = try fixture.reference("pixel_values")
        let outputs = try session.run(["pixel_values": .float32(pixels)], outputNames: anatomy.hiddenStates)
        let expected = try fixture.reference("hidden_states")
        let normed = fixture.hasFinalNorm ? try fixture.reference("hidden_states_normed") : nil
        let per = expected.values.count / expected.shape[0]
        for (i, name) in anatomy.hiddenStates.enumerated() {
            let got = try #require(outputs[name])
            #expect(got.shape == Array(expected.shape.dropFirst()), "\(fixture) hidden state \(i)")
            let reference = expected.values[(i * per)..<((i + 1) * per)]
            #expect(Self.maxDifference(got.values[...], reference) <= 1e-5, "\(fixture) hidden state \(i)")
            if let normed {
                let norm = try #require(anatomy.finalNorm, "\(fixture): no final norm found")
                var values = got.values
                norm.apply(to: &values)
                #expect(Self.maxDifference(values[...], normed.values[(i * per)..<((i + 1) * per)]) <= 1e-5, "\(fixture) normed hidden state \(i)")
            }
        }
    }

    /// `cls@L`, `mean@L` (raw and normed) through `OnnxImageModel`, against numpy poolings of the references.
    @Test(arguments: fixtures.filter { $0.name != "siglip-vision" })
    func poolingsAtEveryLayerMatch(_ fixture: Fixture) throws {
        let pixels = try fixture.reference("pixel_values")
        let images = (0..<pixels.shape[0]).map { i in
            let per = pixels.values.count / pixels.shape[0]
            return Tensor(shape: Array(pixels.shape.dropFirst()), values: Array(pixels.values[(i * per)..<((i + 1) * per)]))
        }
        for normed in fixture.hasFinalNorm ? [false, true] : [false] {
            let reference = try fixture.reference(normed ? "hidden_states_normed" : "hidden_states")
            let (layers, b, tokens, c) = (reference.shape[0], reference.shape[1], reference.shape[2], reference.shape[3])
            let poolings = (1..<layers).flatMap { l in [Pooling.layer(.cls, l - layers), .layer(.mean, l - 1)] }
            let model = try OnnxImageModel(path: fixture.folder.path, poolings: poolings, threads: 1, normalizesLayers: normed)
            let pooled = try model.embed(images)
            for (p, pooling) in poolings.enumerated() {
                guard case .layer(let base, let layer) = pooling else { continue }
                let index = (layer < 0 ? layers - 1 + layer : layer) + 1
                var expected = [Float]()
                for i in 0..<b {
                    let token = { (j: Int) in reference.values[(((index * b + i) * tokens + j) * c)..<(((index * b + i) * tokens + j + 1) * c)] }
                    if base == .cls {
                        expected += token(0)
                    } else {
                        let first = 1 + fixture.registers
                        expected += (0..<c).map { ch in Float((first..<tokens).reduce(0.0) { $0 + Double(token($1)[token($1).startIndex + ch]) } / Double(tokens - first)) }
                    }
                }
                #expect(Self.maxDifference(pooled[p].values[...], expected[...]) <= 1e-5, "\(fixture) \(pooling) normed \(normed)")
            }
        }
    }

    /// DINOv2's `create_linear_input`: class tokens of the last n normed blocks, then the last block's patch mean.
    @Test(arguments: fixtures.filter { $0.name.hasPrefix("dinov2") }, [4, 1])
    func dinoLinearFeaturesEqualCreateLinearInput(_ fixture: Fixture, blocks: Int) throws {
        let pixels = try fixture.reference("pixel_values")
        let model = try OnnxImageModel(path: fixture.folder.path, poolings: [.dinoLinear(blocks: blocks)], threads: 1)
        let per = pixels.values.count / pixels.shape[0]
        let images = (0..<pixels.shape[0]).map { Tensor(shape: Array(pixels.shape.dropFirst()), values: Array(pixels.values[($0 * per)..<(($0 + 1) * per)])) }
        let got = try model.embed(images)[0]
        let expected = try fixture.reference("dino_linear_\(blocks)")
        #expect(got.columns == expected.shape[1])
        #expect(Self.maxDifference(got.values[...], expected.values[...]) <= 1e-5)
    }

    /// Feature maps [N, C, H/p, W/p] equal the reference's reshaped patch tokens, for a non-square input too.
    @Test(arguments: fixtures.filter { FileManager.default.fileExists(atPath: $0.folder.appendingPathComponent("reference/feature_maps.npy").path) })
    func featureMapsEqualReshapedTokens(_ fixture: Fixture) throws {
        let pixels = try fixture.reference("pixel_values")
        let expected = try fixture.reference("feature_maps")
        let model = try OnnxImageModel(path: fixture.folder.path, poolings: [.featureMap(-3), .featureMap(-2), .featureMap(-1)],
                                       threads: 1, normalizesLayers: false)
        let per = pixels.values.count / pixels.shape[0]
        let images = (0..<pixels.shape[0]).map { Tensor(shape: Array(pixels.shape.dropFirst()), values: Array(pixels.values[($0 * per)..<(($0 + 1) * per)])) }
        let maps = try model.embed(images)
        let perLayer = expected.values.count / 3
        for (l, map) in maps.enumerated() {
            #expect(model.sampleShape(ofPooling: l, columns: map.columns) == Array(expected.shape.dropFirst(2)))
            #expect(Self.maxDifference(map.values[...], expected.values[(l * perLayer)..<((l + 1) * perLayer)]) <= 1e-5, "\(fixture) layer \(l - 3)")
        }
    }

    // MARK: - What cannot be done, said in one line

    @Test func aLayerOutOfRangeNamesTheValidOnes() throws {
        let path = Self.root.appendingPathComponent("vit").path
        #expect {
            try OnnxImageModel(path: path, poolings: [.layer(.cls, -5)], threads: 1)
        } throws: { error in
            "\(error)".contains("layer -5 is out of range: the model has 4 blocks (valid: 0…3 or -1…-4)")
        }
        #expect(throws: EmbeddingError.self) { try OnnxImageModel(path: path, poolings: [.layer(.cls, 4)], threads: 1) }
    }

    @Test func aModelWithoutBlocksSaysWhichPoolingsStillWork() throws {
        let path = Self.root.appendingPathComponent("no-blocks").path
        #expect {
            try OnnxImageModel(path: path, poolings: [.layer(.cls, -1)], threads: 1)
        } throws: { error in
            "\(error)".contains("no transformer blocks found") && "\(error)".hasSuffix("its declared outputs allow: pooler")
        }
        let inspection = try ModelInspection(.combined(path)) { _ in throw EmbeddingError.invalidArgument("no tokenizer") }
        #expect(inspection.image.tower.blocks == nil)
        #expect(inspection.notes.contains { $0.contains("no transformer blocks found") && $0.contains("pooler") })
        // Its declared output still embeds.
        let model = try OnnxImageModel(path: path, poolings: [.pooler], threads: 1)
        #expect(try model.embed([Tensor(shape: [3, 32, 32], values: [Float](repeating: 0.5, count: 3072))])[0].rows == 1)
    }

    @Test func anExternalDataModelKeepsItsWeightsBesideIt() throws {
        let folder = Self.root.appendingPathComponent("vit-external")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.onnx.data").path))
        let graph = try OnnxGraph(contentsOf: folder.appendingPathComponent("model.onnx").path)
        #expect(BackboneAnatomy(graph: graph).finalNorm != nil, "the final norm's weights are read from model.onnx.data")
    }

    @Test func aCorruptGraphIsRefusedInOneLine() throws {
        let bytes = try [UInt8](Data(contentsOf: Self.root.appendingPathComponent("vit/model.onnx")))
        for cut in [bytes.count / 2, 3] {
            #expect {
                try OnnxGraph(bytes: Array(bytes[..<cut]), path: "cut.onnx")
            } throws: { error in
                "\(error)".hasPrefix("model cut.onnx is not a readable ONNX model")
            }
        }
        #expect(throws: RuntimeError.self) { try OnnxGraph(bytes: [], path: "empty.onnx") }
    }

    @Test func addingOutputsLeavesTheFileAsItWasAndSkipsDeclaredOnes() throws {
        let bytes = try [UInt8](Data(contentsOf: Self.root.appendingPathComponent("vit/model.onnx")))
        let graph = try OnnxGraph(bytes: bytes, path: "vit.onnx")
        #expect(graph.addingOutputs(["last_hidden_state"]) == bytes)
        let added = graph.addingOutputs(["x", "x", "y"])
        #expect(Array(added.prefix(bytes.count)) == bytes)
        let reread = try OnnxGraph(bytes: added, path: "vit.onnx")
        #expect(reread.outputs.map(\.name) == graph.outputs.map(\.name) + ["x", "y"])
    }

    @Test func poolingNamesParseAndRefuseInOneLine() throws {
        #expect(try Pooling(parsing: "cls@-2") == .layer(.cls, -2))
        #expect(try Pooling(parsing: "cls+mean@0") == .layer(.clsMean, 0))
        #expect(try Pooling(parsing: "dino-linear") == .dinoLinear(blocks: 4))
        #expect(try Pooling(parsing: "dino-linear:2").description == "dino-linear:2")
        #expect(try Pooling(parsing: "featuremap@-1") == .featureMap(-1))
        #expect(try Pooling(parsing: "output:a@b") == .output("a@b"))
        for bad in ["pooler@-1", "cls@x", "cls@-1@-2", "dino-linear:0", "dino-linear:x", "featuremap@", "cls@99999"] {
            #expect(throws: EmbeddingError.self, "\(bad)") { try Pooling(parsing: bad) }
        }
        #expect(try Pooling.atLayers([.cls, .mean], layers: [-1, -2]).map(\.description) == ["cls@-1", "cls@-2", "mean@-1", "mean@-2"])
        #expect(throws: EmbeddingError.self) { try Pooling.atLayers([.pooler], layers: [-1]) }
        #expect(try Pooling.layers(parsing: "-1, -2,3") == [-1, -2, 3])
        #expect(throws: EmbeddingError.self) { try Pooling.layers(parsing: ",") }
    }
}

/// A small hostile graph: 4,096 LayerNorm streams, each with a residual Add whose other input ends a long chain of
/// wide Sum nodes. Each (stream, Add) pair searched the chain afresh, pushing every input of every node (with a
/// 10,000-node chain: minutes for `inspect`, `embed --pooling cls@-1` and `knn -m`). The searches now share one
/// budget, which this graph exhausts — so no blocks, rather than a chain cut short — and a 16 MB epsilon
/// initialiser is never decoded to learn it is not one value.
@Test func anatomyOfAHostileGraphIsBoundedWork() throws {
    var writer = OnnxGraphWriter()
    writer.input("x", dims: [1, 3, 8, 8])
    writer.initializer("scale", dims: [8], values: [Float](repeating: 1, count: 8))
    writer.initializer("c", dims: [1], values: [1])
    writer.node("Identity", inputs: ["x"], output: "chain0")
    for i in 1...2_000 { writer.node("Sum", inputs: ["chain\(i - 1)"] + [String](repeating: "c", count: 10), output: "chain\(i)") }
    for s in 0..<4096 {
        writer.node("Identity", inputs: ["x"], output: "s\(s)")
        writer.node("LayerNormalization", inputs: ["s\(s)", "scale"], output: "n\(s)")
        writer.node("Add", inputs: ["s\(s)", "chain2000"], output: "a\(s)")
    }
    writer.output("a0", dims: [1, 3, 8, 8])
    let graph = try OnnxGraph(bytes: writer.model(), path: "hostile.onnx")
    let anatomy = BackboneAnatomy(graph: graph)
    #expect(anatomy.searchCutShort && anatomy.blocks == 0)
    // One value is read as a scalar; eight are not, and are not decoded to find out.
    #expect(graph.constantScalar("c") == 1 && graph.constantScalar("scale") == nil && graph.constantValues("scale")?.count == 8)
    #expect(OnnxGraph.elementCount([1 << 40, 1 << 40]) == nil && OnnxGraph.elementCount([2, -1]) == nil && OnnxGraph.elementCount([]) == 1)
}
