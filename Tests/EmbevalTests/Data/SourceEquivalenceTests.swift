import Foundation
import Testing
@testable import Embeval

/// The Fashion-MNIST subset written as Hugging Face datasets (sharded parquet, a zstd file with CIFAR-style column
/// names, row groups with dictionary fallback, save_to_disk folders, a hub snapshot) is the same data as Debian's IDX
/// files under `--samples 600 --seed 0`: the same labels and class names, the same pixels (so identical raw-pixel
/// embeddings), and identical kNN numbers. Model embeddings: HuggingFaceCommandTests, through the CLI.
@Suite struct SourceEquivalenceTests {
    struct Source: Sendable, CustomTestStringConvertible {
        var path: String
        var columns: [String] = []
        var testDescription: String { path }
    }

    static let sources = [
        Source(path: "sharded"), Source(path: "cifar-style/test.parquet", columns: ["input_column=img", "label_column=fine_label"]),
        Source(path: "rowgroups/test.parquet"), Source(path: "saved"), Source(path: "saved-single"),
        Source(path: "hub/datasets--acme--fmnist/snapshots/1f0c8b6e2a9d4c3b5a7e8f9d0c1b2a3e4f5d6c7b"),
        Source(path: "hub/datasets--acme--fmnist/snapshots/9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"),
    ]

    static func idx() throws -> Dataset { try DatasetSpec.load("fashion-mnist", split: "test").sampled(600, seed: 0) }

    static func load(_ source: Source) throws -> Dataset {
        try DatasetSpec.load(TestPaths.fixture("hf/\(source.path)").path, split: "test", columns: ColumnMapping(arguments: source.columns))
    }

    @Test(arguments: sources)
    func labelsClassesAndPixelsAreTheIDXSubsets(_ source: Source) throws {
        let reference = try Self.idx(), dataset = try Self.load(source)
        #expect(dataset.labels == reference.labels)
        #expect(dataset.classes == reference.classes)
        let native = PixelModel(), resized = PixelModel(size: (16, 16))
        for (a, b) in zip(reference.samples, dataset.samples) {
            // IDX arrays are one grey channel, and so are the PNGs (Pillow mode L): the same vectors.
            let gray = try native.prepare(a, limits: ImageLimits()).values
            #expect(try native.prepare(b, limits: ImageLimits()).values == gray)
            #expect(try resized.prepare(a, limits: ImageLimits()).values == resized.prepare(b, limits: ImageLimits()).values)
        }
    }

    @Test func rawPixelKNNNumbersAreIdentical() throws {
        let extractor = EmbeddingExtractor(batchSize: 64)
        func evaluation(_ dataset: Dataset, size: (Int, Int)?) throws -> [KNNResult] {
            let model = PixelModel(size: size)
            let embeddings = try #require(extractor.extract(dataset, with: model).embeddings[.output("pixels")])
            return try KNNEvaluation(embeddings, ks: [1, 10, 20], weighting: .similarity).results
        }
        let reference = try Self.idx()
        for source in Self.sources.prefix(3) {
            let dataset = try Self.load(source)
            #expect(try evaluation(dataset, size: (16, 16)) == evaluation(reference, size: (16, 16)), "\(source.path)")
            #expect(try evaluation(dataset, size: nil) == evaluation(reference, size: nil), "\(source.path)")
        }
    }
}
