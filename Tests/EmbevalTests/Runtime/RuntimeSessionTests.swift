import Foundation
import Testing
@testable import Embeval

@Suite struct RuntimeSessionTests {
    let references = RuntimeFixtures.references

    @Test func discoversDynamicInputsAndOutputs() throws {
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("mlp_dynamic.onnx"), threads: 1)
        #expect(session.inputs == [
            TensorInfo(name: "x", elementType: .float32, shape: [nil, 4], symbolicNames: ["batch", nil]),
        ])
        #expect(session.outputs.map(\.name) == ["hidden", "score"])
        #expect(session.outputs.map(\.shape) == [[nil, 3], [nil, 2]])
        #expect(session.outputs.allSatisfy { $0.elementType == .float32 })
        #expect(session.inputs[0].shapeDescription == "[?, 4]")
    }

    @Test(arguments: [1, 2, 5])
    func runMatchesPythonOnnxRuntimeForAnyBatch(batch: Int) throws {
        let model = try #require(references.models["mlp_dynamic"])
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("mlp_dynamic.onnx"))
        let x = try #require(model.inputs["x"]).floatTensor
        let rows = Tensor(shape: [batch, 4], values: Array(x.values.prefix(batch * 4)))
        let outputs = try session.run(["x": rows.input])
        #expect(Set(outputs.keys) == ["hidden", "score"])
        for (name, expected) in model.outputs {
            let actual = try #require(outputs[name])
            let width = expected.shape[1]
            #expect(actual.shape == [batch, width])
            let diff = RuntimeFixtures.maxAbsDifference(actual.values, Array(expected.values.prefix(batch * width)))
            #expect(diff <= 1e-5, "output \(name) differs by \(diff)")
        }
    }

    @Test func emptyBatchRuns() throws {
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("mlp_dynamic.onnx"))
        let outputs = try session.run(["x": Tensor(shape: [0, 4], values: []).input])
        #expect(outputs["hidden"] == Tensor(shape: [0, 3], values: []))
    }

    @Test func selectedOutputsOnly() throws {
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("mlp_dynamic.onnx"))
        let x = Tensor(shape: [2, 4], values: [0.1, 0.2, 0.3, 0.4, -1, -2, -3, -4])
        let outputs = try session.run(["x": .float32(x)], outputNames: ["score"])
        #expect(Array(outputs.keys) == ["score"])
        #expect(outputs["score"]?.shape == [2, 2])
    }

    @Test func concurrentRunsAgree() async throws {
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("mlp_dynamic.onnx"), threads: 1)
        let x = Tensor(shape: [3, 4], values: (0..<12).map { Float($0) / 7 })
        let expected = try session.run(["x": x.input])
        try await withThrowingTaskGroup(of: [String: Tensor].self) { group in
            for _ in 0..<8 { group.addTask { try session.run(["x": x.input]) } }
            for try await result in group { #expect(result == expected) }
        }
    }

    @Test func staticBatchModel() throws {
        let model = try #require(references.models["static_batch"])
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("static_batch.onnx"))
        #expect(session.inputs[0].shape == [1, 3, 4, 4])
        #expect(session.inputs[0].symbolicNames == [nil, nil, nil, nil])
        let pixels = try #require(model.inputs["pixel_values"]).floatTensor
        let pooled = try #require(try session.run(["pixel_values": pixels.input])["pooled"])
        let expected = try #require(model.outputs["pooled"])
        #expect(pooled.shape == expected.shape)
        #expect(RuntimeFixtures.maxAbsDifference(pooled.values, expected.values) <= 1e-5)
    }

    @Test func wrongShapeNamesTensorAndExpectedShape() throws {
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("static_batch.onnx"))
        let pixels = Tensor(shape: [2, 3, 2, 2], values: Array(repeating: 0, count: 24))
        #expect(throws: RuntimeError.inputMismatch(
            "model input 'pixel_values' expects shape [1, 3, 4, 4], got [2, 3, 2, 2]")) {
            try session.run(["pixel_values": pixels.input])
        }
        let rank3 = Tensor(shape: [3, 4, 4], values: Array(repeating: 0, count: 48))
        #expect(throws: RuntimeError.inputMismatch(
            "model input 'pixel_values' expects shape [1, 3, 4, 4], got [3, 4, 4]")) {
            try session.run(["pixel_values": rank3.input])
        }
    }

    @Test func unknownMissingAndMistypedInputs() throws {
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("mlp_dynamic.onnx"))
        let x = Tensor(shape: [1, 4], values: [1, 2, 3, 4])
        #expect(throws: RuntimeError.inputMismatch("model has no input 'y'; its inputs are: x: float32 [?, 4]")) {
            try session.run(["x": x.input, "y": x.input])
        }
        #expect(throws: RuntimeError.inputMismatch("model input 'x' (float32 [?, 4]) was not given")) {
            try session.run([:])
        }
        #expect(throws: RuntimeError.inputMismatch("model input 'x' expects float32 [?, 4], got int64")) {
            try session.run(["x": .int64(shape: [1, 4], values: [1, 2, 3, 4])])
        }
        #expect(throws: RuntimeError.inputMismatch("input 'x' has 3 values, which do not fill shape [1, 4]")) {
            try session.run(["x": badFloat()])
        }
    }

    private func badFloat() -> InputTensor {
        var tensor = Tensor(shape: [1, 4], values: [1, 2, 3, 4])
        tensor.values.removeLast()
        return .float32(tensor)
    }

    @Test func missingOutputListsAvailableOnes() throws {
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("mlp_dynamic.onnx"))
        let x = Tensor(shape: [1, 4], values: [1, 2, 3, 4])
        let error = RuntimeError.unknownOutput(name: "logits", available: ["hidden", "score"])
        #expect(throws: error) { try session.run(["x": x.input], outputNames: ["logits"]) }
        #expect(error.description == "model has no output 'logits'; available outputs: hidden, score")
    }

    @Test func int64InputsFeedTextStyleModels() throws {
        let model = try #require(references.models["int64_input"])
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("int64_input.onnx"))
        #expect(session.inputs == [TensorInfo(name: "input_ids", elementType: .int64, shape: [nil, nil],
                                              symbolicNames: ["batch", "sequence"])])
        let ids = try #require(model.inputs["input_ids"])
        let outputs = try session.run(["input_ids": .int64(shape: ids.shape, values: ids.values.map { Int64($0) })])
        let expected = try #require(model.outputs["pooled"])
        let pooled = try #require(outputs["pooled"])
        #expect(pooled.shape == expected.shape)
        #expect(RuntimeFixtures.maxAbsDifference(pooled.values, expected.values) <= 1e-5)
    }

    @Test func float32AndInt64FeedFloat16AndInt32Inputs() throws {
        let model = try #require(references.models["narrow_inputs"])
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("narrow_inputs.onnx"))
        #expect(session.inputs.map(\.elementType) == [.float16, .int32])
        let x = try #require(model.inputs["x"]).floatTensor
        let ids = try #require(model.inputs["ids"])
        let outputs = try session.run([
            "x": x.input, "ids": .int64(shape: ids.shape, values: ids.values.map { Int64($0) }),
        ])
        for (name, expected) in model.outputs {
            let actual = try #require(outputs[name])
            #expect(actual.shape == expected.shape)
            #expect(RuntimeFixtures.maxAbsDifference(actual.values, expected.values) == 0, "\(name)")
        }
        #expect(throws: RuntimeError.inputMismatch("model input 'ids' is int32, but value 4294967296 does not fit")) {
            try session.run(["x": Tensor(shape: [1, 4], values: [0, 0, 0, 0]).input,
                             "ids": .int64(shape: [1, 2], values: [1, 1 << 32])])
        }
    }

    @Test func float16AndDoubleOutputsBecomeFloat() throws {
        let model = try #require(references.models["cast_outputs"])
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("cast_outputs.onnx"))
        #expect(session.outputs.map(\.elementType) == [.float16, .float64, .int64])
        let x = try #require(model.inputs["x"]).floatTensor
        let outputs = try session.run(["x": x.input])
        #expect(Set(outputs.keys) == ["half", "double"])  // the int64 output is left out by default
        for name in ["half", "double"] {
            let expected = try #require(model.outputs[name])
            let actual = try #require(outputs[name])
            #expect(actual.shape == expected.shape)
            #expect(RuntimeFixtures.maxAbsDifference(actual.values, expected.values) <= 1e-6, "\(name)")
        }
        #expect(throws: RuntimeError.unsupportedOutput(name: "ids", elementType: .int64)) {
            try session.run(["x": x.input], outputNames: ["ids"])
        }
    }

    @Test func corruptModelSurfacesOnnxRuntimeMessage() {
        let path = RuntimeFixtures.path("corrupt.onnx")
        do {
            _ = try InferenceSession(modelPath: path)
            Issue.record("a corrupt model loaded")
        } catch let error as RuntimeError {
            guard case .onnxRuntime(let operation, let code, let message) = error else {
                Issue.record("unexpected \(error)"); return
            }
            #expect(operation.contains("corrupt.onnx"))
            #expect(RuntimeError.codeName(code) == "INVALID_PROTOBUF")
            #expect(!message.isEmpty)
            #expect(!error.description.contains("\n"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func missingModelFile() {
        #expect(throws: RuntimeError.modelNotFound(path: "/nonexistent/model.onnx", reason: "no such file or directory")) {
            try InferenceSession(modelPath: "/nonexistent/model.onnx")
        }
    }

    @Test func exportDirectoryLoadsItsModel() throws {
        let session = try InferenceSession(modelPath: RuntimeFixtures.path("export_dir"))
        #expect(session.modelPath.hasSuffix("export_dir/model.onnx"))
        #expect(session.inputs.map(\.name) == ["x"])
    }
}
