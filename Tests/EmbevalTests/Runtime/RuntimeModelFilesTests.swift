import Foundation
import Testing
@testable import Embeval

@Suite struct RuntimeModelFilesTests {
    @Test func sha256KnownDigests() throws {
        let vectors = RuntimeFixtures.references.sha256
        #expect(try SHA256.hex(of: [UInt8]()) == vectors["empty"])
        #expect(try SHA256.hex(of: Array("abc".utf8)) == vectors["abc"])
        #expect(try SHA256.hex(of: Array("abc".utf8))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == vectors["two_blocks"])
        #expect(try SHA256.hex(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)) == vectors["million_a"])
    }

    @Test func sha256IncrementalEqualsOneShot() throws {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        var hasher = try SHA256()
        for chunk in stride(from: 0, to: bytes.count, by: 37) {
            try hasher.update(bytes[chunk..<min(chunk + 37, bytes.count)])
        }
        #expect(try SHA256.hexString(hasher.finalize()) == SHA256.hex(of: bytes))
        // Pieces that end inside a 64-byte block, exactly on one, and span several, in every mix: each split must
        // give the one-shot digest.
        for sizes in [[1], [63], [64], [65], [127, 1], [64, 1, 63, 129], [200, 3]] {
            var hasher = try SHA256(), offset = 0, step = 0
            while offset < bytes.count {
                let end = min(offset + sizes[step % sizes.count], bytes.count)
                try hasher.update(bytes[offset..<end])
                offset = end
                step += 1
            }
            #expect(try SHA256.hexString(hasher.finalize()) == SHA256.hex(of: bytes), "pieces of \(sizes)")
        }
        // A sequence without contiguous storage takes the same path.
        #expect(try SHA256.hex(of: bytes.lazy.map { $0 }) == SHA256.hex(of: bytes))
    }

    @Test func modelFileHashMatchesPython() throws {
        let files = try ModelFiles.resolve(RuntimeFixtures.path("mlp_dynamic.onnx"))
        #expect(try files.sha256() == RuntimeFixtures.references.models["mlp_dynamic"]?.sha256)
    }

    @Test func exportDirectoryResolvesSideFiles() throws {
        let files = try ModelFiles.resolve(RuntimeFixtures.path("export_dir"))
        #expect(files.model.lastPathComponent == "model.onnx")
        #expect(files.config?.lastPathComponent == "config.json")
        #expect(files.preprocessorConfig?.lastPathComponent == "preprocessor_config.json")
        #expect(files.tokenizer == nil)
        let config = try #require(try files.loadConfig())
        #expect(config == ModelConfig(modelType: "dinov2", numRegisterTokens: 4, hiddenSize: 3,
                                      imageSize: 518, patchSize: 14))
    }

    @Test func bareOnnxFilePicksUpSiblings() throws {
        let files = try ModelFiles.resolve(RuntimeFixtures.path("export_dir/model.onnx"))
        #expect(files.config != nil)
        let plain = try ModelFiles.resolve(RuntimeFixtures.path("mlp_dynamic.onnx"))
        #expect(plain.config == nil && plain.preprocessorConfig == nil)
    }

    @Test func missingPathAndEmptyDirectory() throws {
        #expect(throws: RuntimeError.modelNotFound(path: "/nonexistent/dir", reason: "no such file or directory")) {
            try ModelFiles.resolve("/nonexistent/dir")
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("embeval-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: RuntimeError.modelNotFound(path: empty.path, reason: "the directory has no model.onnx")) {
            try ModelFiles.resolve(empty.path)
        }
    }

    @Test func configDefaultsAndVisionFallback() throws {
        let clip = #"{"model_type": "clip", "vision_config": {"hidden_size": 768, "image_size": 224, "patch_size": 32}}"#
        let config = try JSONDecoder().decode(ModelConfig.self, from: Data(clip.utf8))
        #expect(config == ModelConfig(modelType: "clip", numRegisterTokens: 0, hiddenSize: 768, imageSize: 224,
                                      patchSize: 32))
        let empty = try JSONDecoder().decode(ModelConfig.self, from: Data("{}".utf8))
        #expect(empty == ModelConfig())
        // A register count that is not an integer was read as 0: registers pooled as patches.
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ModelConfig.self, from: Data(#"{"num_register_tokens": "4"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ModelConfig.self, from: Data(#"{"vision_config": {"num_register_tokens": 4.5}}"#.utf8)) }
    }

    /// `num_register_tokens` sets where patch tokens start: −5 indexed token −4 ("Negative Array index", signal 4 from
    /// `knn --pooling mean`), Int.max overflowed 1 + registers (`inspect`, every pooling). A count outside 0…4096 is
    /// refused when the config is read, naming the file and the field.
    @Test(arguments: ["-5", "9223372036854775807", "4097"])
    func aRegisterCountNoViTHasIsRefused(value: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("embeval-config-\(UUID().uuidString).json")
        try Data(#"{"model_type": "dinov2", "num_register_tokens": \#(value)}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: RuntimeError.invalidConfig(path: url.path, reason: "num_register_tokens must be 0…4096, got \(value)")) {
            try ModelConfig.load(from: url)
        }
        try Data(#"{"model_type": "dinov2", "num_register_tokens": 4096}"#.utf8).write(to: url)
        #expect(try ModelConfig.load(from: url).numRegisterTokens == 4096)
        // A count of the wrong type is named, not called invalid JSON.
        try Data(#"{"model_type": "dinov2", "num_register_tokens": "4"}"#.utf8).write(to: url)
        #expect(throws: RuntimeError.invalidConfig(path: url.path, reason: "'num_register_tokens' must be an integer")) { try ModelConfig.load(from: url) }
    }

    @Test func halfFloatConversions() {
        #expect(HalfFloat.float(fromHalfBits: 0x3c00) == 1)
        #expect(HalfFloat.float(fromHalfBits: 0xc000) == -2)
        #expect(HalfFloat.float(fromHalfBits: 0x0001) == 0x1p-24)
        #expect(HalfFloat.float(fromHalfBits: 0x7c00) == .infinity)
        #expect(HalfFloat.float(fromHalfBits: 0x7e00).isNaN)
        #expect(HalfFloat.halfBits(from: 65520) == 0x7c00)  // rounds up past the largest half
        #expect(HalfFloat.halfBits(from: 65504) == 0x7bff)
        #expect(HalfFloat.float(fromBFloat16Bits: 0x3f80) == 1)
        #if !(os(macOS) && arch(x86_64))
        var state: UInt32 = 12345
        for _ in 0..<20000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            let value = Float(bitPattern: state)
            guard !value.isNaN else { continue }
            #expect(HalfFloat.halfBits(from: value) == Float16(value).bitPattern, "\(value)")
            let bits = UInt16(truncatingIfNeeded: state >> 7)
            let half = Float16(bitPattern: bits)
            if !half.isNaN { #expect(HalfFloat.float(fromHalfBits: bits) == Float(half)) }
        }
        #endif
    }
}
