import Foundation
import Testing
@testable import Embeval

/// Every parquet and Arrow fixture (tools/fixtures/hf_datasets.py, written by `datasets` and pyarrow) read by
/// Embeval's own readers must give what pyarrow reads from it (Fixtures/hf/manifest.json): the same row groups or
/// record batches, labels, image paths, and image bytes (one SHA-256 over the rows' own digests).
@Suite struct ColumnarParityTests {
    static let root = TestPaths.fixture("hf")

    struct Reference: Decodable {
        var rows: Int
        var row_groups: [Int]?
        var record_batches: [Int]?
        var codecs: [String]?
        var columns: [String]
        var labels: [LabelValue?]
        var image_digest: String
        var image_paths: [String?]
    }

    enum LabelValue: Decodable, Equatable {
        case integer(Int64), string(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int64.self) { self = .integer(i) } else { self = .string(try c.decode(String.self)) }
        }
    }

    struct Manifest: Decodable { var files: [String: Reference] }

    static let manifest: Manifest = {
        do { return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: root.appendingPathComponent("manifest.json"))) } catch {
            fatalError("Fixtures/hf/manifest.json: \(error) (run tools/fixtures/hf_datasets.py)")
        }
    }()

    static var files: [String] { manifest.files.keys.sorted() }

    @Test func theFixturesCoverEveryCodecAndPageVersion() {
        let names = Set(Self.files)
        for codec in ["none", "snappy", "gzip", "zstd"] {
            for version in [1, 2] { #expect(names.contains("codecs/\(codec)-v\(version).parquet")) }
        }
        #expect(Self.manifest.files["rowgroups/test.parquet"]?.row_groups?.count == 6)
        #expect(Self.manifest.files["saved/test/data-00000-of-00001.arrow"]?.record_batches?.count ?? 0 > 1)
    }

    @Test(arguments: files)
    func readsWhatPyarrowReads(_ name: String) throws {
        let reference = try #require(Self.manifest.files[name])
        let url = Self.root.appendingPathComponent(name)
        let table: any ColumnarTable = name.hasSuffix(".arrow") ? try ArrowTable(url) : try ParquetTable(url)
        #expect(table.groupRowCounts == (reference.row_groups ?? reference.record_batches))
        #expect(table.rowCount == reference.rows)
        #expect(table.columns.map(\.name) == reference.columns)
        let image = reference.columns.contains("img") ? "img" : "image"
        let label = reference.columns.contains("fine_label") ? "fine_label" : "label"

        var labels = [LabelValue?](), paths = [String?](), digests = [UInt8]()
        for group in table.groupRowCounts.indices {
            switch try table.labels(column: label, group: group) {
            case .integers(let values): labels += values.map { $0.map(LabelValue.integer) }
            case .strings(let values): labels += values.map { $0.map(LabelValue.string) }
            }
            let cells = try table.images(column: image, group: group)
            #expect(cells.cells.count == table.groupRowCounts[group])
            for cell in cells.cells {
                switch cell {
                case .bytes(let range):
                    var hash = try SHA256()
                    try hash.update(cells.buffer[range])
                    digests += try hash.finalize()
                    paths.append(nil)
                case .path(let path):
                    digests += [UInt8](repeating: 0, count: 32)
                    paths.append(path)
                case .missing:
                    digests += [UInt8](repeating: 0, count: 32)
                    paths.append(nil)
                }
            }
        }
        #expect(labels == reference.labels)
        #expect(paths == reference.image_paths)
        #expect(try SHA256.hex(of: digests) == reference.image_digest)
    }

    /// The v1 fixtures hold DATA_PAGE pages and the v2 ones DATA_PAGE_V2, after a dictionary page: the page headers
    /// as Embeval decodes them.
    @Test(arguments: ["snappy", "zstd"], [1, 2])
    func pageVersionsAreWhatTheirNamesSay(_ codec: String, _ version: Int) throws {
        let file = try ParquetFile(Self.root.appendingPathComponent("codecs/\(codec)-v\(version).parquet"))
        let column = try #require(file.metadata.rowGroups[0].columns[0].metadata)
        let start = Int(column.dictionaryPageOffset ?? column.dataPageOffset)
        let bytes = try ReadOnlyFile(file.url).read(start..<(start + Int(column.totalCompressedSize)), "chunk")
        var kinds = [ParquetPageHeader.Kind](), position = 0
        while position < bytes.count {
            let header = try ParquetPageHeader(bytes, at: position)
            kinds.append(header.kind)
            position += header.headerSize + header.compressedSize
        }
        #expect(kinds.first == .dictionary)
        #expect(kinds.dropFirst().allSatisfy { $0 == (version == 1 ? .dataV1 : .dataV2) } && kinds.count > 1, "\(kinds)")
    }

    /// Dictionary pages that overflow make pyarrow fall back to PLAIN pages within a chunk: both kinds in one chunk.
    @Test func dictionaryFallbackMixesEncodingsInAChunk() throws {
        let file = try ParquetFile(Self.root.appendingPathComponent("rowgroups/test.parquet"))
        let column = try #require(file.metadata.rowGroups[0].columns[0].metadata)
        let start = Int(column.dictionaryPageOffset ?? column.dataPageOffset)
        let bytes = try ReadOnlyFile(file.url).read(start..<(start + Int(column.totalCompressedSize)), "chunk")
        var encodings = Set<Int32>(), position = 0
        while position < bytes.count {
            let header = try ParquetPageHeader(bytes, at: position)
            if let v1 = header.dataV1 { encodings.insert(v1.encoding) }
            position += header.headerSize + header.compressedSize
        }
        #expect(encodings == [0, 8], "PLAIN and RLE_DICTIONARY data pages expected, got \(encodings)")
    }
}
