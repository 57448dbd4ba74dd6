import Foundation
import Testing
@testable import Embeval

/// CLIP, SigLIP, SigLIP 2 (Gemma tokenizer) and ALIGN (EfficientNet + BERT WordPiece) towers against Python
/// onnxruntime, and zero-shot predictions against transformers' ZeroShotImageClassificationPipeline
/// (tools/fixtures/twotower.py, twotower_families.py).
struct TwoTowerModelTests {
    static func path(_ relative: String) -> String { TestPaths.fixture("twotower/\(relative)").path }

    static func model(_ family: String, combined: Bool = false) throws -> TwoTowerModel {
        let roles: ModelRoles = combined ? .combined(path("\(family)/combined"))
            : .split(image: path("\(family)/image-encoder"), text: path("\(family)/text-encoder"))
        return try TwoTowerModel(roles, threads: 1) { try TokenizerLoader.load(path: $0.path) }
    }

    static func prompts(_ family: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(contentsOf: URL(fileURLWithPath: path("\(family)/reference/prompts.json"))))
    }

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    static func images(_ family: String, _ model: TwoTowerModel, file: String) throws -> Matrix {
        let pixels = try NumpyArray.readTensor(at: URL(fileURLWithPath: path(file)))
        let per = pixels.values.count / pixels.shape[0]
        let batch = (0..<pixels.shape[0]).map { Tensor(shape: Array(pixels.shape.dropFirst()), values: Array(pixels.values[($0 * per)..<(($0 + 1) * per)])) }
        return try model.image.embed(batch)[0]
    }

    /// The reference files of each family's text and image embeddings.
    static let outputs = ["clip": ("text_embeds", "image_embeds"), "siglip": ("text_pooler_output", "image_pooler_output"),
                          "siglip2": ("text_pooler_output", "image_pooler_output"), "align": ("text_embeds", "image_embeds")]

    @Test(arguments: ["clip", "siglip", "siglip2", "align"])
    func towersEqualPythonOnnxRuntimeOnTheSameTokensAndPixels(family: String) throws {
        let model = try Self.model(family)
        let prompts = try Self.prompts(family)
        // Token ids and masks exactly as the HF tokenizer padded them for the pipeline.
        let tokens = model.text.tokenizer.batch(prompts)
        let ids = try NumpyArray.readTensor(at: URL(fileURLWithPath: Self.path("\(family)/reference/input_ids.npy")))
        let mask = try NumpyArray.readTensor(at: URL(fileURLWithPath: Self.path("\(family)/reference/attention_mask.npy")))
        #expect(tokens.ids.flatMap { $0 }.map(Float.init) == ids.values)
        #expect(tokens.attentionMask.flatMap { $0 }.map(Float.init) == mask.values)

        let text = try model.text.embed(prompts)
        let (textName, imageName) = Self.outputs[family]!
        let textFile = "\(family)/reference/\(textName).npy"
        let expectedText = try NumpyArray.readTensor(at: URL(fileURLWithPath: Self.path(textFile)))
        #expect(Self.maxAbsDifference(text.values, expectedText.values) <= 1e-5)

        let image = try Self.images(family, model, file: "\(family)/reference/pixel_values.npy")
        let imageFile = "\(family)/reference/\(imageName).npy"
        let expectedImage = try NumpyArray.readTensor(at: URL(fileURLWithPath: Self.path(imageFile)))
        #expect(Self.maxAbsDifference(image.values, expectedImage.values) <= 1e-5)
    }

    @Test func theCombinedCLIPExportGivesTheSameEmbeddings() throws {
        let model = try Self.model("clip", combined: true)
        let text = try model.text.embed(try Self.prompts("clip"))
        let expectedText = try NumpyArray.readTensor(at: URL(fileURLWithPath: Self.path("clip/reference/combined_text_embeds.npy")))
        #expect(Self.maxAbsDifference(text.values, expectedText.values) <= 1e-5)
        let image = try Self.images("clip", model, file: "clip/reference/pixel_values.npy")
        let expectedImage = try NumpyArray.readTensor(at: URL(fileURLWithPath: Self.path("clip/reference/combined_image_embeds.npy")))
        #expect(Self.maxAbsDifference(image.values, expectedImage.values) <= 1e-5)
    }

    struct PipelineRecord: Decodable { let file: String; let top1: String; let tie: Bool }

    /// ≥ 200 images: top-1 identical to the PyTorch pipeline's, except where its top-2 logits are within 1e-5.
    /// `siglip2_lower`: the same model with every prompt lower-cased (`--lowercase`), against the pipeline fed the
    /// lower-cased prompts.
    @Test(arguments: [("clip", false), ("clip", true), ("siglip", false), ("siglip2", false), ("align", false), ("siglip2_lower", false)])
    func predictionsEqualTheTransformersPipeline(family: String, combined: Bool) throws {
        let lowercase = family.hasSuffix("_lower")
        let model = try Self.model(lowercase ? String(family.dropLast("_lower".count)) : family, combined: combined)
        let dataset = try DatasetSpec.load(Self.path("images"))
        let prompts = PromptSet(lowercase: lowercase).prompts(classNames: dataset.classes, templates: [.pipelineDefault])
        let classEmbeddings = ZeroShotClassifier.classEmbeddings(
            try model.text.embed(prompts), classes: dataset.classes.count, templates: 1)
        let images = try EmbeddingExtractor(batchSize: 32).extract(dataset, with: model.image).embeddings[model.image.poolings[0]]!
        let result = ZeroShotClassifier.evaluate(images: images.matrix, labels: images.labels, classEmbeddings: classEmbeddings)
        let records = try JSONDecoder().decode([PipelineRecord].self, from: Data(contentsOf: URL(fileURLWithPath: Self.path("pipeline/\(family).json"))))
        #expect(records.count >= 200)
        #expect(images.ids == records.map(\.file))
        var compared = 0
        for (i, record) in records.enumerated() where !record.tie {
            #expect(dataset.classes[result.predictions[i]] == record.top1, "\(record.file)")
            compared += 1
        }
        #expect(compared >= 200)
    }

    /// The image processors (CLIP's, SigLIP's, ALIGN's EfficientNet with `rescale_offset`) give the pipeline's pixels.
    @Test(arguments: ["clip", "siglip", "siglip2", "align"])
    func preprocessingGivesThePipelinesPixels(family: String) throws {
        let model = try Self.model(family)
        let records = try JSONDecoder().decode([PipelineRecord].self, from: Data(contentsOf: URL(fileURLWithPath: Self.path("pipeline/\(family).json"))))
        let expected = try NumpyArray.readTensor(at: URL(fileURLWithPath: Self.path("pipeline/\(family)_pixel_values_first2.npy")))
        let pixels = try records.prefix(2).flatMap { record in
            model.image.preprocessor.process(try ImageDecoder.decode(fileAt: Self.path("images/\(record.file)")))
        }
        #expect(pixels.count == expected.values.count)
        #expect(Self.maxAbsDifference(pixels, expected.values) <= 1e-5)
    }

    @Test func rolesAreCheckedAndListed() throws {
        #expect(try ModelRoles(arguments: ["image-encoder=a", "text-encoder=b"]) == .split(image: "a", text: "b"))
        #expect(try ModelRoles(arguments: ["dir"]) == .combined("dir"))
        #expect(throws: EmbeddingError.invalidArgument("-m 'vision=a': unknown role (accepted roles: image-encoder, text-encoder, as -m image-encoder=PATH -m text-encoder=PATH)")) {
            try ModelRoles(arguments: ["vision=a", "text-encoder=b"])
        }
        #expect(throws: EmbeddingError.invalidArgument("-m: missing role text-encoder (accepted roles: image-encoder, text-encoder)")) {
            try ModelRoles(arguments: ["image-encoder=a"])
        }
    }

    /// A combined export whose inputs share one symbolic batch axis gets dummies as large as each batch: the same
    /// embeddings whatever the batch size.
    @Test func aSharedBatchAxisGetsDummiesOfTheBatchsSize() throws {
        let shared = try TwoTowerModel(.combined(Self.path("clip/combined-shared-batch"))) { _ in
            try TokenizerLoader.load(path: Self.path("clip/combined"))
        }
        #expect(shared.image.otherTower.matchBatch && shared.text.otherTower.matchBatch)
        #expect(!(try Self.model("clip", combined: true)).image.otherTower.matchBatch)
        let dataset = try DatasetSpec.load(Self.path("images")).sampled(24, seed: 1)
        let pooling = shared.image.poolings[0]
        let batched = try EmbeddingExtractor(batchSize: 8).extract(dataset, with: shared.image).embeddings[pooling]!
        let single = try EmbeddingExtractor(batchSize: 1).extract(dataset, with: shared.image).embeddings[pooling]!
        #expect(Self.maxAbsDifference(batched.matrix.values, single.matrix.values) <= 1e-5)
        var text = shared.text
        let prompts = dataset.classes.map { "a photo of a \($0)." }
        let together = try text.embed(prompts)
        text.batchSize = 1
        #expect(Self.maxAbsDifference(together.values, try text.embed(prompts).values) <= 1e-5)
    }
}
