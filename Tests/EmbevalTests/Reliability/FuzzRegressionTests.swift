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
                                      "modelconfig", "savedmap", "expectations", "image", "parquet", "thrift", "arrow", "tar", "brace",
                                      "set", "partial"]), "\(targets)")
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
                let tokenizer = try TokenizerPipeline(path: url.path)
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
            case "parquet": try Self.readAll(ParquetTable(Self.copy(bytes, as: "input.parquet")))
            case "arrow": try Self.readAll(ArrowTable(Self.copy(bytes, as: "input.arrow")))
            case "thrift":
                // Refused by the footer decoder or the page header decoder (the harness runs both).
                let footer = Result { try ParquetSchema(ParquetMetadata(thrift: bytes).schema) }
                let page = Result { try ParquetPageHeader(bytes, at: 0) }
                if case .failure(let error) = footer, case .failure = page { throw error }
            case "tar":
                let dataset = try WebDataset().open(DatasetLocation(url.path), split: nil, columns: ColumnMapping())
                for sample in dataset.samples { _ = try sample.loadImage() }
            case "brace": _ = try BracePattern.expand(String(decoding: bytes, as: UTF8.self))
            case "set":
                // Loaded as `--embeddings`, then merged as shards (what the harness does, errors thrown).
                let folder = try Self.unpack(bytes)
                _ = try? EmbeddingFiles(paths: [folder], labels: .stored).loadSets()
                _ = try EmbeddingMerge.run(shards: [folder], into: folder.deletingLastPathComponent().appendingPathComponent("merged"))
            case "partial":
                // The checks `embed --resume` makes of a staging folder before it goes on, against its own record
                // and the harness's samples (img0.png … img9.png): a refusal of the partial run, not any error.
                let partial = try PartialExtraction(of: Self.unpack(bytes, as: "job").appendingPathComponent("out"))
                let progress = try #require(try partial.checkedProgress())
                do {
                    try partial.checkContinuable(progress, as: progress.record, sets: [""]) { (0..<10).contains($0) ? "img\($0).png" : nil }
                } catch let error as ShardError {
                    throw error
                } catch {
                    Issue.record("\(name): \(error) is not a refusal of the partial run")
                }
            default: Issue.record("no replay for target '\(target)'")
            }
        }
    }

    /// `bytes` in a scratch file named `name` (the table readers read from disk, as the harnesses do).
    static func copy(_ bytes: [UInt8], as name: String) throws -> URL {
        let url = TestPaths.scratch("fuzz-regression").appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// A `set` or `partial` input (`Fuzz/pack-folder`'s format: `== PATH` lines, each file's bytes, a line break) as
    /// the folder `name` in a scratch folder of its own.
    static func unpack(_ bytes: [UInt8], as name: String = "set") throws -> URL {
        let folder = TestPaths.scratch("fuzz-regression-\(name)").appendingPathComponent(name)
        let text = Data(bytes)
        var cursor = text.startIndex
        while let header = text.range(of: Data("== ".utf8), in: cursor..<text.endIndex),
              let lineEnd = text[header.upperBound...].firstIndex(of: UInt8(ascii: "\n")) {
            let next = text.range(of: Data("\n== ".utf8), in: lineEnd..<text.endIndex)?.lowerBound ?? text.endIndex.advanced(by: -1)
            let url = folder.appendingPathComponent(String(decoding: text[header.upperBound..<lineEnd], as: UTF8.self))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text[(lineEnd + 1)..<max(lineEnd + 1, next)].write(to: url)
            cursor = next
        }
        return folder
    }

    /// What the parquet and arrow harnesses do, with every error thrown instead of ignored.
    static func readAll(_ table: any ColumnarTable) throws {
        for column in table.columns {
            for group in table.groupRowCounts.indices {
                if column.kind.canHoldLabels { _ = try table.labels(column: column.name, group: group) }
                if column.kind.canHoldImages { _ = try table.images(column: column.name, group: group) }
            }
        }
        let dataset = try ColumnarDataset.load([table], features: nil, columns: ColumnMapping(), name: "fuzz", split: nil)
        for sample in dataset.samples {
            if case .encoded(let store, let index) = sample.source { _ = try store.bytes(at: index) }
        }
    }
}
