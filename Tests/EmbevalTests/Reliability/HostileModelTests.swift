import Foundation
import Testing
@testable import Embeval

/// Models are input too: a graph whose output is not one fixed-width row per item is refused in one line naming the
/// model and the widths, never trapped on when the rows are joined.
@Suite struct HostileModelTests {
    /// The pixel model, but each batch's rows are as wide as the batch: widths 2, then 1, for 3 images in batches of 2.
    struct BatchWideModel: ImageEmbeddingModel {
        let base = PixelModel(size: (4, 4))
        var name: String { "batch-wide" }
        var poolings: [Pooling] { base.poolings }
        var metadata: JSONValue { base.metadata }
        var maximumBatchSize: Int? { nil }
        func prepare(_ sample: Sample, limits: ImageLimits) throws -> Tensor { try base.prepare(sample, limits: limits) }
        func embed(_ batch: [Tensor]) throws -> [Matrix] {
            [Matrix(rows: batch.count, columns: batch.count, repeating: 0.5)]
        }
    }

    @Test func anImageModelWhoseWidthChangesBetweenBatchesIsRefused() throws {
        var dataset = try DatasetSpec.load(TestPaths.fixture("models/images").path)
        dataset.samples = Array(dataset.samples.prefix(3))
        do {
            _ = try EmbeddingExtractor(batchSize: 2).extract(dataset, with: BatchWideModel())
            Issue.record("rows of widths 2 and 1 were joined")
        } catch let error as EmbeddingError {
            #expect("\(error)".contains("'batch-wide'") && "\(error)".contains("width 1") && "\(error)".contains("width 2"), "\(error)")
        }
    }

    /// A text tower whose `text_embeds` is [batch, batch] (input_ids cast to float, times its own transpose).
    static func batchWideTextTower() -> [UInt8] {
        var graph = OnnxGraphWriter()
        graph.node("Cast", inputs: ["input_ids"], output: "ids", attributes: [("to", .int(OnnxGraphWriter.ElementType.float32.rawValue))])
        graph.node("Transpose", inputs: ["ids"], output: "ids_t", attributes: [("perm", .ints([1, 0]))])
        graph.node("MatMul", inputs: ["ids", "ids_t"], output: "text_embeds")
        graph.name("batch_wide_text")
        graph.input("input_ids", .int64, dims: [nil, nil])
        graph.output("text_embeds", dims: [nil, nil])
        return graph.model(opset: 17)
    }

    @Test func aTextTowerWhoseWidthChangesBetweenBatchesIsRefused() throws {
        let session = try InferenceSession(model: .bytes(Self.batchWideTextTower(), path: "batch-wide.onnx"))
        var encoder = try TextEncoder(session: session, tokenizer: CLIPFixture.tokenizer)
        encoder.batchSize = 2
        #expect(try encoder.embed(["a cat", "a dog"]).columns == 2)
        do {
            _ = try encoder.embed(["a cat", "a dog", "a fish"])
            Issue.record("rows of widths 2 and 1 were joined")
        } catch let error as EmbeddingError {
            #expect("\(error)".contains("'batch-wide.onnx' output 'text_embeds'") && "\(error)".contains("width 1") && "\(error)".contains("width 2"), "\(error)")
        }
    }

    /// A text tower whose `text_embeds` is NaN (the log of minus the mean token id), as an fp16 text encoder that
    /// overflows gives: its prompts are refused by name, never scored (every cosine would be NaN, and the argmax the
    /// first class).
    @Test func aTextTowerThatGivesNaNIsRefusedNamingThePrompts() throws {
        var graph = OnnxGraphWriter()
        graph.node("Cast", inputs: ["input_ids"], output: "ids", attributes: [("to", .int(OnnxGraphWriter.ElementType.float32.rawValue))])
        graph.node("ReduceMean", inputs: ["ids"], output: "mean", attributes: [("axes", .ints([1])), ("keepdims", .int(1))])
        graph.node("Neg", inputs: ["mean"], output: "negative")
        graph.node("Log", inputs: ["negative"], output: "text_embeds")
        graph.name("nan_text")
        graph.input("input_ids", .int64, dims: [nil, nil])
        graph.output("text_embeds", dims: [nil, 1])
        let session = try InferenceSession(model: .bytes(graph.model(opset: 17), path: "nan.onnx"))
        let encoder = try TextEncoder(session: session, tokenizer: CLIPFixture.tokenizer)
        do {
            _ = try encoder.embed(["a photo of a cat.", "a photo of a dog."])
            Issue.record("NaN text embeddings were returned")
        } catch let error as EmbeddingError {
            #expect("\(error)".contains("'nan.onnx'") && "\(error)".contains("2 embedding row(s) hold NaN or Inf") && "\(error)".contains("a photo of a cat."), "\(error)")
        }
    }

    /// An image model of `[batch, 3, side, side]` input and a 2-D `pooler_output` (the mean of each channel).
    static func staticSizeModel(side: Int) throws -> URL {
        var graph = OnnxGraphWriter()
        graph.node("ReduceMean", inputs: ["pixel_values"], output: "pooler_output", attributes: [("axes", .ints([2, 3])), ("keepdims", .int(0))])
        graph.name("static_size")
        graph.input("pixel_values", dims: [nil, 3, side, side])
        graph.output("pooler_output", dims: [nil, 3])
        let url = TestPaths.scratch("hostile-models").appendingPathComponent("static-\(side).onnx")
        try Data(graph.model(opset: 17)).write(to: url)
        return url
    }

    /// Without a preprocessor_config.json the images are resized to the input's static size: a declared side of 0
    /// trapped in the resize (signal 4) at the first image, and one of 100,000 — or an area past the 4096² a resize
    /// may make, as 4097² — was blamed on each image's "aspect ratio". All are refused when the model opens, naming
    /// the model, the input and its shape.
    @Test(arguments: [0, 4097, 100_000])
    func aStaticInputSizeNoImageCanTakeIsRefused(side: Int) throws {
        let model = try Self.staticSizeModel(side: side)
        do {
            _ = try ImageModelSpec(path: model.path, poolings: [.pooler]).load()
            Issue.record("a model of \(side)×\(side) input opened")
        } catch let error as EmbeddingError {
            let message = "\(error)"
            #expect(message.contains("'\(model.path)'") && message.contains("'pixel_values'") && message.contains("[?, 3, \(side), \(side)]")
                    && message.contains("between 1 and \(PreprocessorConfig.largestSide)"), "\(message)")
        }
        // A usable static size still sets the resize.
        let four = try ImageModelSpec(path: try Self.staticSizeModel(side: 4).path, poolings: [.pooler]).load()
        let image = try #require(try DatasetSpec.load(TestPaths.fixture("models/images").path).samples.first)
        #expect(try four.prepare(image, limits: ImageLimits()).shape == [3, 4, 4])
    }

    /// A text tower whose `input_ids` has a static length of 2⁴⁰ tokens: the prompts were padded to it, an allocation
    /// of 8 TB per prompt sized by the model file. Refused when the tower opens, naming the model and the length.
    @Test func aTextTowerOfAnImpossibleStaticLengthIsRefused() throws {
        var graph = OnnxGraphWriter()
        graph.node("Cast", inputs: ["input_ids"], output: "ids", attributes: [("to", .int(OnnxGraphWriter.ElementType.float32.rawValue))])
        graph.node("ReduceMean", inputs: ["ids"], output: "text_embeds", attributes: [("axes", .ints([1])), ("keepdims", .int(1))])
        graph.name("long_text")
        graph.input("input_ids", .int64, dims: [nil, 1 << 40])
        graph.output("text_embeds", dims: [nil, 1])
        let session = try InferenceSession(model: .bytes(graph.model(opset: 17), path: "long.onnx"))
        do {
            let encoder = try TextEncoder(session: session, tokenizer: CLIPFixture.tokenizer)
            _ = try encoder.embed(["a photo of a cat."])
            Issue.record("prompts were padded to 2^40 tokens")
        } catch let error as EmbeddingError {
            #expect("\(error)".contains("'long.onnx'") && "\(error)".contains("\(1 << 40) tokens") && "\(error)".contains("65536"), "\(error)")
        }
    }

    /// A text tower of static length 80 sees each prompt padded to it, a batch at a time: the tokenizer's pad id after
    /// the text (CLIP pads right) and a mask of 0 there. Its `text_embeds` are the means of the ids and of the mask.
    @Test func aStaticLengthPadsEveryPromptWithThePadTokenAndAZeroMask() throws {
        var graph = OnnxGraphWriter()
        for input in ["input_ids", "attention_mask"] {
            graph.node("Cast", inputs: [input], output: "\(input)_f", attributes: [("to", .int(OnnxGraphWriter.ElementType.float32.rawValue))])
            graph.node("ReduceMean", inputs: ["\(input)_f"], output: "\(input)_mean", attributes: [("axes", .ints([1])), ("keepdims", .int(1))])
        }
        graph.node("Concat", inputs: ["input_ids_mean", "attention_mask_mean"], output: "text_embeds", attributes: [("axis", .int(1))])
        graph.name("static_text")
        graph.input("input_ids", .int64, dims: [nil, 80])
        graph.input("attention_mask", .int64, dims: [nil, 80])
        graph.output("text_embeds", dims: [nil, 2])
        var encoder = try TextEncoder(session: InferenceSession(model: .bytes(graph.model(opset: 17), path: "static.onnx")),
                                      tokenizer: CLIPFixture.tokenizer)
        encoder.batchSize = 2
        let prompts = ["a photo of a cat.", "a dog", "a photo of a small red bird on a branch."]
        let tokens = CLIPFixture.tokenizer.batch(prompts)
        #expect(tokens.length < 80)
        let rows = try encoder.embed(prompts)
        for (r, ids) in tokens.ids.enumerated() {
            let padded = ids.reduce(0, +) + (80 - tokens.length) * CLIPFixture.tokenizer.padID
            #expect(abs(Double(rows[r, 0]) - Double(padded) / 80) < 1e-2, "prompt \(r)")
            #expect(abs(Double(rows[r, 1]) - Double(tokens.attentionMask[r].reduce(0, +)) / 80) < 1e-6, "prompt \(r)")
        }
    }
}
