import Foundation
import Testing
@testable import Embeval

@Suite("Imaging: preprocess like the HF image processors (Pillow backend)")
struct ImagingPreprocessorTests {
    @Test("CHW floats equal the processor's within 1e-6", arguments: ImagingFixtures.manifest.processors)
    func matchesHuggingFace(_ c: ImagingFixtures.ProcessorCase) throws {
        let processor = try ImagePreprocessor(configAt: ImagingFixtures.configPath(c.config))
        let image = try ImageDecoder.decode(fileAt: ImagingFixtures.path(c.file))
        let out = processor.process(image)
        let geometry = processor.outputSize(width: image.width, height: image.height)
        #expect([3, geometry.height, geometry.width] == c.shape)
        #expect(out.count == c.shape.reduce(1, *))
        if let tensor = c.tensor {
            let expected = ImagingFixtures.tensor(tensor)
            try #require(expected.count == out.count)
            let worst = zip(out, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-6)
        } else {
            // Only the digest is stored: require the float32 bytes to be identical (stricter than 1e-6).
            #expect(try SHA256.hex(of: ImagingFixtures.floatBytes(out)) == c.sha256)
        }
    }

    @Test func readsDINOv2Config() throws {
        let c = try PreprocessorConfig(contentsOf: ImagingFixtures.configPath("dinov2_bit.json"))
        #expect(c.size == .shortestEdge(256))
        #expect(c.cropSize?.height == 224 && c.cropSize?.width == 224)
        #expect(c.resample == .bicubic && c.doCenterCrop && c.doRescale && c.doNormalize)
        #expect(c.imageMean == [0.485, 0.456, 0.406] && c.imageStd == [0.229, 0.224, 0.225])
    }

    @Test func overridesReplaceConfigValues() throws {
        let base = try PreprocessorConfig(contentsOf: ImagingFixtures.configPath("vit_default.json"))
        let p = ImagePreprocessor(config: base, overrides: PreprocessorOverrides(
            shortestEdge: 40, cropSize: 32, mean: [0, 0, 0], std: [1, 1, 1], resample: .nearest))
        #expect(p.config.size == .shortestEdge(40) && p.config.cropSize?.width == 32 && p.config.doCenterCrop)
        #expect(p.config.resample == .nearest && p.config.imageMean == [0, 0, 0])
        #expect(p.outputSize(width: 100, height: 50) == (32, 32))
        let q = ImagePreprocessor(config: base, overrides: PreprocessorOverrides(imageSize: 96))
        #expect(q.outputSize(width: 100, height: 50) == (96, 96))
    }

    @Test func shortestEdgeTruncatesLikeHF() {
        let p = ImagePreprocessor(config: PreprocessorConfig.defaults(for: "BitImageProcessor"),
                                  overrides: PreprocessorOverrides(shortestEdge: 256))
        #expect(p.resizeTarget(width: 640, height: 427) == (256, 383))  // int(256 * 640 / 427) = 383
        #expect(p.resizeTarget(width: 7, height: 300) == (10971, 256))
    }

    @Test func malformedConfigIsAnError() {
        #expect(throws: ImageError.self) {
            try PreprocessorConfig(json: Data(#"{"image_mean": [1, 2]}"#.utf8))
        }
    }
}

@Test func imagingProcessorTypeAliases() throws {
    #expect(PreprocessorConfig.canonicalType("CLIPFeatureExtractor") == "CLIPImageProcessor")
    #expect(PreprocessorConfig.canonicalType("SiglipImageProcessorFast") == "SiglipImageProcessor")
    let c = try PreprocessorConfig(json: Data(#"{"feature_extractor_type": "CLIPFeatureExtractor", "size": 224, "crop_size": 224}"#.utf8))
    #expect(c.size == .shortestEdge(224) && c.cropSize?.height == 224 && c.resample == .bicubic)
    let v = try PreprocessorConfig(json: Data(#"{"image_processor_type": "ViTImageProcessor", "size": 384}"#.utf8))
    #expect(v.size == .exact(height: 384, width: 384) && !v.doCenterCrop)
}

/// JSON 0 and 1 are numbers: `resample` 0 (NEAREST) and 1 (LANCZOS) are read, and `true`/`false` are refused. On Linux
/// JSONSerialization's 0 and 1 also pass `is Bool`, which made both numbers "'resample' must be a number".
@Test func imagingResampleZeroAndOneAreNumbersAndBooleansAreNot() throws {
    #expect(try PreprocessorConfig(json: Data(#"{"resample": 0}"#.utf8)).resample == .nearest)
    #expect(try PreprocessorConfig(json: Data(#"{"resample": 1}"#.utf8)).resample == .lanczos)
    #expect(try PreprocessorConfig(json: Data(#"{"rescale_factor": 1}"#.utf8)).rescaleFactor == 1)
    for json in [#"{"resample": true}"#, #"{"rescale_factor": false}"#] {
        #expect(throws: ImageError.self, "\(json)") { try PreprocessorConfig(json: Data(json.utf8)) }
    }
}
