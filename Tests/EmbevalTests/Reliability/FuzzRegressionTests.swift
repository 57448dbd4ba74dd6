import Foundation
import Testing
@testable import Embeval

/// Every input libFuzzer (or its reviewer) found crashing a parser, replayed through that parser on each `make test`:
/// each must now be refused with an error — a trap would end the test run. (`make fuzz-regressions` replays the
/// same files through the fuzz targets themselves, under AddressSanitizer.)
@Suite struct FuzzRegressionTests {
    static let root = TestPaths.repository.appendingPathComponent("Fuzz/Regressions")

    static var cases: [String] {
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return targets.sorted().flatMap { target in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(target).path)) ?? [])
                .sorted().map { "\(target)/\($0)" }
        }
    }

    @Test func everyTargetHasItsReplay() {
        #expect(Self.cases.count >= 20)
        let targets = Set(Self.cases.map { String($0.split(separator: "/")[0]) })
        #expect(targets.isSubset(of: ["npy", "idx", "cifar", "manifest", "tokenizer", "sentencepiece", "preprocessor",
                                      "modelconfig", "savedmap", "expectations", "image", "tar", "brace"]), "\(targets)")
    }

    @Test(arguments: cases)
    func aCrashFoundByFuzzingIsNowAnError(_ name: String) throws {
        let url = Self.root.appendingPathComponent(name)
        let bytes = [UInt8](try Data(contentsOf: url))
        let target = name.split(separator: "/")[0]
        #expect(throws: (any Error).self, "\(name) was accepted") {
            switch target {
            case "npy":
                _ = try? NumpyArray.readMatrix(at: url)
                _ = try? NumpyArray.readLabels(at: url)
                _ = try NumpyArray.readTensor(at: url)
            case "idx": _ = try IDXFile.readImages(url)
            case "tokenizer":
                let tokenizer = try CLIPTokenizer(path: url.path)
                _ = tokenizer.encode("a photo of a cat")
            case "preprocessor":
                let config = try PreprocessorConfig(json: Data(bytes), path: name)
                let image = RGBImage(width: 3, height: 2, pixels: [UInt8](repeating: 128, count: 18))
                try ImagePreprocessor(config: config).checkSize(width: 3, height: 2, path: "x")
                _ = ImagePreprocessor(config: config).process(image)
            case "savedmap":
                let map = try SavedMap.load(from: url)
                _ = try map.add(Matrix(rows: 3, columns: map.inputWidth, repeating: 0.5))
            case "image": _ = try ImageDecoder.decode(bytes: bytes, name: name)
            case "tar":
                let dataset = try WebDataset().open(DatasetLocation(url.path), split: nil, columns: ColumnMapping())
                for sample in dataset.samples { _ = try sample.loadImage() }
            case "brace": _ = try BracePattern.expand(String(decoding: bytes, as: UTF8.self))
            default: Issue.record("no replay for target '\(target)'")
            }
        }
    }
}
