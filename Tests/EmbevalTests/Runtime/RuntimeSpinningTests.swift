import COnnxRuntime
import Foundation
import Testing
@testable import Embeval

/// Thread-pool spinning is a session config entry set through AddSessionConfigEntry (slot 130 of the table).
/// A wrong slot would crash or come back with an error status, so creating and running sessions is the main check.
@Suite struct RuntimeSpinningTests {
    let references = RuntimeFixtures.references

    @Test(arguments: [nil, 2] as [Int?])
    func spinningOffAndOnGiveIdenticalOutputs(threads: Int?) throws {
        let model = try #require(references.models["mlp_dynamic"])
        let x = try #require(model.inputs["x"]).floatTensor
        let quiet = try InferenceSession(modelPath: RuntimeFixtures.path("mlp_dynamic.onnx"), threads: threads,
                                         allowSpinning: false)
        let spinning = try InferenceSession(modelPath: RuntimeFixtures.path("mlp_dynamic.onnx"), threads: threads,
                                            allowSpinning: true)
        let a = try quiet.run(["x": x.input])
        let b = try spinning.run(["x": x.input])
        #expect(Set(a.keys) == ["hidden", "score"])
        #expect(a == b)
        for (name, expected) in model.outputs {
            let actual = try #require(a[name])
            #expect(actual.shape == expected.shape)
            #expect(RuntimeFixtures.maxAbsDifference(actual.values, expected.values) <= 1e-5)
        }
    }

    @Test func staticBatchModelAgreesWithSpinningOffAndOn() throws {
        let model = try #require(references.models["static_batch"])
        let pixels = try #require(model.inputs["pixel_values"]).floatTensor
        let outputs = try [false, true].map { allow in
            try InferenceSession(modelPath: RuntimeFixtures.path("static_batch.onnx"), allowSpinning: allow)
                .run(["pixel_values": pixels.input])
        }
        #expect(outputs[0] == outputs[1])
        let pooled = try #require(outputs[0]["pooled"])
        let expected = try #require(model.outputs["pooled"])
        #expect(RuntimeFixtures.maxAbsDifference(pooled.values, expected.values) <= 1e-5)
    }

    /// Slot identity: the function behind slot 130 validates its key, and says so in its own words.
    @Test func slot130IsAddSessionConfigEntry() throws {
        let library = try OnnxRuntimeLibrary.shared()
        let api = library.api.pointee
        var options: OpaquePointer?
        try library.check(api.CreateSessionOptions(&options), "create session options")
        defer { api.ReleaseSessionOptions(options) }
        #expect(api.AddSessionConfigEntry(options, "session.intra_op.allow_spinning", "0") == nil)
        do {
            try library.check(api.AddSessionConfigEntry(options, "", "0"), "add an empty config key")
            Issue.record("an empty config key was accepted")
        } catch RuntimeError.onnxRuntime(_, let code, let message) {
            #expect(code == Int(ORT_INVALID_ARGUMENT.rawValue))
            #expect(message.localizedCaseInsensitiveContains("config key"))
        }
    }
}
