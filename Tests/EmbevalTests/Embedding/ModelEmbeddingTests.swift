import Foundation
import Testing
@testable import Embeval

/// Embeddings equal Python onnxruntime's (|Δ| ≤ 1e-5) for tiny random-weight ViT and DINOv2 exports, with and
/// without registers, under every pooling (tools/fixtures/models.py).
struct ModelEmbeddingTests {
    static func modelDir(_ name: String) -> URL { TestPaths.fixture("models/\(name)") }

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: ["vit-tiny", "dinov2-tiny", "dinov2-reg-tiny", "vit-static"])
    func pooledEmbeddingsEqualPythonOnnxRuntime(model name: String) throws {
        let dir = Self.modelDir(name)
        let poolings: [Pooling] = [.cls, .mean, .gem, .clsMean, .pooler]
        let model = try OnnxImageModel(path: dir.path, poolings: poolings, threads: 1)
        let pixels = try NumpyArray.readTensor(at: dir.appendingPathComponent("reference/pixel_values.npy"))
        let images = pixels.shape[0]
        let perImage = pixels.values.count / images
        let batch = (0..<images).map { i in
            Tensor(shape: [3, 32, 32], values: Array(pixels.values[(i * perImage)..<((i + 1) * perImage)]))
        }
        let batches = model.maximumBatchSize == 1 ? batch.map { [$0] } : [batch]
        var pooled = [[Float]](repeating: [], count: poolings.count)
        for b in batches {
            for (p, m) in try model.embed(b).enumerated() { pooled[p] += m.values }
        }
        for (p, pooling) in poolings.enumerated() {
            let file = pooling == .pooler ? "pooler_output" : "pooled_\(pooling)"
            let expected = try NumpyArray.readMatrix(at: dir.appendingPathComponent("reference/\(file).npy"))
            #expect(Self.maxAbsDifference(pooled[p], expected.values) <= 1e-5, "\(name) \(pooling)")
        }
    }

    /// Folder dataset → decode → HF-exact preprocessing → ORT → CLS, against the Python pipeline.
    @Test(arguments: ["vit-tiny", "dinov2-tiny"])
    func endToEndPipelineEqualsThePythonPipeline(model name: String) throws {
        let dir = Self.modelDir(name)
        let dataset = try DatasetSpec.load(TestPaths.fixture("models/images").path)
        #expect(dataset.ids == ["class_a/a1.png", "class_a/a2.jpg", "class_b/b1.png", "class_b/b2.jpg"])
        let model = try OnnxImageModel(path: dir.path, poolings: [.cls], threads: 1)
        let expectedPixels = try NumpyArray.readTensor(at: dir.appendingPathComponent("pipeline_pixel_values.npy"))
        let prepared = try dataset.samples.flatMap { try model.prepare($0).values }
        #expect(Self.maxAbsDifference(prepared, expectedPixels.values) <= 1e-6)
        let result = try EmbeddingExtractor(batchSize: 3).extract(dataset, with: model)
        let expected = try NumpyArray.readMatrix(at: dir.appendingPathComponent("pipeline_cls.npy"))
        #expect(Self.maxAbsDifference(result.embeddings[.cls]!.matrix.values, expected.values) <= 1e-5)
        #expect(result.embeddings[.cls]!.labels == [0, 0, 1, 1])
    }

    @Test func aMissingOutputIsNamedWithTheAvailableOnes() throws {
        #expect(throws: EmbeddingError.missingOutput(output: "image_embeds", neededBy: "pooling 'output:image_embeds'", available: ["last_hidden_state", "pooler_output"])) {
            try OnnxImageModel(path: Self.modelDir("vit-tiny").path, poolings: [.output("image_embeds")])
        }
    }

    @Test func aPreprocessedSizeTheModelCannotTakeIsAnError() throws {
        let model = try OnnxImageModel(path: Self.modelDir("vit-tiny").path, poolings: [.cls],
                                       overrides: PreprocessorOverrides(imageSize: 16))
        let dataset = try DatasetSpec.load(TestPaths.fixture("models/images").path)
        #expect(throws: (any Error).self) { try EmbeddingExtractor().extract(dataset, with: model) }
        do { _ = try EmbeddingExtractor().extract(dataset, with: model) } catch {
            #expect("\(error)".contains("model input 'pixel_values' expects shape [?, 3, 32, 32], got [4, 3, 16, 16]"), "\(error)")
        }
    }

    @Test func badImagesFailByDefaultAndAreCountedWhenSkipped() throws {
        let root = TestPaths.scratch()
        let good = root.appendingPathComponent("a")
        try FileManager.default.createDirectory(at: good, withIntermediateDirectories: true)
        for f in ["a1.png", "a2.jpg"] {
            try FileManager.default.copyItem(at: TestPaths.fixture("models/images/class_a/\(f)"), to: good.appendingPathComponent(f))
        }
        try Data("not an image".utf8).write(to: good.appendingPathComponent("broken.jpg"))
        let jpeg = try Data(contentsOf: TestPaths.fixture("models/images/class_a/a2.jpg"))
        try jpeg.prefix(jpeg.count / 2).write(to: good.appendingPathComponent("truncated.jpg"))
        let dataset = try DatasetSpec.load(root.path)
        let model = try OnnxImageModel(path: Self.modelDir("vit-tiny").path, poolings: [.cls])
        do {
            _ = try EmbeddingExtractor().extract(dataset, with: model)
            Issue.record("a corrupt image did not stop the run")
        } catch {
            #expect("\(error)".contains("broken.jpg"), "\(error)")
        }
        let skipped = try EmbeddingExtractor(onBadImage: .skip).extract(dataset, with: model)
        #expect(skipped.skipped.map(\.id) == ["a/broken.jpg", "a/truncated.jpg"])
        #expect(skipped.embeddings[.cls]!.ids == ["a/a1.png", "a/a2.jpg"])
    }
}

@Test func aModelThatIsNotRGBIsRefused() {
    #expect(throws: EmbeddingError.incompatibleModel("model input 'pixel_values' expects 1 channel(s) (shape [?, 1, 8, 8]); Embeval feeds RGB images with 3")) {
        try OnnxImageModel(path: TestPaths.fixture("runtime/gray_input.onnx").path, poolings: [.pooler])
    }
}
