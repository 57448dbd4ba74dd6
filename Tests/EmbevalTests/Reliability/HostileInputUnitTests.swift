import Foundation
import Testing
@testable import Embeval

/// Defects found by trying Embeval with hostile input, each pinned by a test at the layer that now refuses it.
@Suite struct HostileInputUnitTests {
    let dir = TestPaths.scratch("hostile-unit")

    /// A `.npy` file with a hand-written header (numpy would never write these).
    func npy(_ header: String, payload: Data = Data(count: 16), name: String) throws -> URL {
        var dict = header
        dict += String(repeating: " ", count: (64 - (10 + dict.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        data.append(contentsOf: [UInt8(dict.utf8.count & 0xff), UInt8(dict.utf8.count >> 8)])
        data.append(Data(dict.utf8))
        data.append(payload)
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    @Test(arguments: ["(-1, 4)", "(9223372036854775807, 2)", "(4294967296, 4294967296)", "(3, 'x')", "(2, 2, 2, 2, 2, 2, 9223372036854775807)"])
    func npyShapesThatCannotBeAreErrorsNotTraps(shape: String) throws {
        let url = try npy("{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }", name: "bad.npy")
        #expect(throws: EmbeddingError.self) { try NumpyArray.readMatrix(at: url) }
        #expect(throws: EmbeddingError.self) { try NumpyArray.readTensor(at: url) }
        let labels = try npy("{'descr': '<i8', 'fortran_order': False, 'shape': \(shape), }", name: "bad-labels.npy")
        #expect(throws: EmbeddingError.self) { try NumpyArray.readLabels(at: labels) }
    }

    /// The header is read as the Python dict NumPy reads: either quote style, and exactly the keys `descr`,
    /// `fortran_order` and `shape`, each once. The first `'key':` in the text was taken, so a double-quoted
    /// `"fortran_order": True` read a Fortran array as C order (wrong search results), and a repeated `shape` gave the
    /// first one where NumPy takes the last (a 20 × 8 file scored as 40 × 4).
    @Test(arguments: [
        (#"{"descr": "<f4", "fortran_order": False, "shape": (2, 2), }"#, nil),
        (#"{'shape': (2, 2), 'fortran_order': False, 'descr': '<f4'}"#, nil),
        (#"{'descr':'<f4','fortran_order':False,'shape':(2,2,)}"#, nil),
        (#"{'descr': '<f4', "fortran_order": True, 'shape': (2, 2), }"#, "Fortran-order arrays are not supported; save with np.ascontiguousarray"),
        (#"{'descr': '<f4', 'fortran_order': False, 'shape': (4, 1), 'shape': (2, 2), }"#, ".npy header: key 'shape' given twice"),
        (#"{'descr': '<f4', 'fortran_order': False, }"#, ".npy header: no key 'shape' (a .npy header has 'descr', 'fortran_order' and 'shape')"),
        (#"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'extra': 1}"#, ".npy header: key 'extra' (a .npy header has 'descr', 'fortran_order' and 'shape')"),
        (#"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"#, ".npy header: 'descr' is not a dtype string (structured arrays are not supported)"),
        (#"{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 2), }"#, ".npy header: 'fortran_order' is not True or False"),
        (#"'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)"#, ".npy header: not a dict literal"),
    ] as [(String, String?)])
    func npyHeadersAreReadAsNumPyReadsThem(header: String, error: String?) throws {
        let url = try npy(header, payload: Data(count: 16), name: "header.npy")
        guard let error else {
            #expect(try NumpyArray.readMatrix(at: url).rows == 2)
            return
        }
        #expect(throws: EmbeddingError.malformedFile(path: url.path, location: nil, reason: error)) { try NumpyArray.readMatrix(at: url) }
    }

    /// Rows stored other than as float32 (`embed --dtype float16`, float64, integers) are read into memory, not
    /// mapped: past half the memory they are refused naming the file, before anything is allocated (a 1.5 GB float16
    /// set aborted on a 3 GB allocation, after holding its file, a copy and the values as Double: 7× its size).
    @Test func npyValuesPastMemoryAreRefusedBeforeTheyAreRead() throws {
        let half = (0..<2000).map { UInt16(0x3C00 + ($0 % 7)) }   // 1.0 and just above, as float16
        let payload = half.withUnsafeBytes { Data($0) }
        let url = try npy("{'descr': '<f2', 'fortran_order': False, 'shape': (100, 20), }", payload: payload, name: "f2.npy")
        let m = try NumpyArray.readMatrix(at: url)
        #expect(m.rows == 100 && m.columns == 20 && m.values[1] == Float(float16Bits: 0x3C01))
        #expect(throws: EmbeddingError.malformedFile(path: url.path, location: nil,
                                                     reason: "100×20 float16 values read as float32 would take 8000 bytes in memory, more than half of the 15000 bytes this process may use; store them as float32, which is read memory-mapped")) {
            try NumpyArray.readMatrix(at: url, memoryBytes: 15_000)
        }
        #expect(try NumpyArray.readMatrix(at: url, memoryBytes: 16_000).values == m.values)
    }

    @Test func hugeUint64LabelsAreRefusedNotTruncated() throws {
        var payload = Data()
        for v in [UInt64(1), UInt64.max] { withUnsafeBytes(of: v.littleEndian) { payload.append(contentsOf: $0) } }
        let url = try npy("{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }", payload: payload, name: "u8.npy")
        #expect(throws: EmbeddingError.self) { try NumpyArray.readLabels(at: url) }
    }

    @Test func labelsFarLargerThanTheSamplesAreMappedNotAllocated() throws {
        let (m, _) = clusteredEmbeddings(rows: 6, columns: 3, classes: 2, seed: 1)
        try NumpyArray.write(m, to: dir.appendingPathComponent("e.npy"))
        try NumpyArray.write(labels: [1_000_000_000_000, 7, 1_000_000_000_000, 7, 7, 3_000_000_000_000],
                             to: dir.appendingPathComponent("l.npy"))
        let e = try Embeddings.load(embeddings: dir.appendingPathComponent("e.npy"), labels: dir.appendingPathComponent("l.npy"))
        #expect(e.classes == ["7", "1000000000000", "3000000000000"])
        #expect(e.labels == [1, 0, 1, 0, 0, 2])
        let knn = try KNNEvaluation(e, ks: [2], weighting: .similarity)
        #expect(knn.results[0].predictions.count == 6)
    }

    @Test func zeroWidthEmbeddingsAreRefused() throws {
        #expect(throws: EmbeddingError.self) {
            try Embeddings(matrix: Matrix(rows: 3, columns: 0), labels: [0, 1, 0], ids: ["a", "b", "c"], classes: ["x", "y"])
        }
        let url = try npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 0), }", name: "d0.npy")
        try NumpyArray.write(labels: [0, 1, 0], to: dir.appendingPathComponent("d0-labels.npy"))
        #expect(throws: EmbeddingError.self) {
            try EmbeddingFiles(embeddings: url, labels: .file(dir.appendingPathComponent("d0-labels.npy"))).load()
        }
    }

    @Test func labelsOutsideTheClassesAreRefused() {
        #expect(throws: EmbeddingError.self) {
            try Embeddings(matrix: Matrix(rows: 2, columns: 2), labels: [0, 5], ids: ["a", "b"], classes: ["x", "y"])
        }
    }

    @Test func expWeightsAtATinyTemperatureGiveTheNearestNeighboursClass() throws {
        // exp(s / 1e-4) overflows to ∞ for every neighbour; shifted by the nearest similarity it is 1-NN.
        let (m, labels) = clusteredEmbeddings(rows: 300, columns: 8, classes: 4, seed: 5, noise: 2)
        let set = try Embeddings(matrix: m, labels: labels, ids: (0..<300).map(String.init), classes: ["a", "b", "c", "d"])
        let oneNN = try KNNEvaluation(set, ks: [1], weighting: .uniform).results[0]
        for temperature in [1e-4, 1e-6, 1e-9] {
            let tiny = try KNNEvaluation(set, ks: [20], weighting: .exp, temperature: temperature).results[0]
            #expect(tiny.predictions == oneNN.predictions, "T=\(temperature)")
        }
    }

    @Test func noVerdictWhenOneSampleMovesAccuracyMoreThanTheTolerance() throws {
        let metric = try ComparedMetric(name: "top1_accuracy", baselineCorrect: [true, true], candidateCorrect: [true, true],
                                    tolerance: 0.5, resamples: 200, seed: 0, decisive: true)
        #expect(metric.verdict == .inconclusive)
        #expect(Verdict(ci95: (-3, -2), tolerance: 0.5, samples: 100) == .inconclusive)
        #expect(Verdict(ci95: (-3, -2), tolerance: 0.5, samples: 1000) == .fail)
        #expect(Verdict.fewestSamples(tolerance: 0.5) == 201)
    }

    /// The paired statistics refuse what they cannot pair instead of trapping: sides of different lengths, no
    /// samples, no resamples, resample indices outside the samples.
    @Test func pairedStatisticsRefuseWhatTheyCannotPair() {
        #expect(throws: MetricError.incompatibleSets("the two sides are scored on 2 and 1 samples: they must be the same samples")) {
            try ComparedMetric(name: "top1_accuracy", baselineCorrect: [true, false], candidateCorrect: [true],
                               tolerance: 0.5, resamples: 200, seed: 0, decisive: true)
        }
        #expect(throws: MetricError.tooFewSamples(metric: "the paired bootstrap", needed: 1, got: 0)) {
            try ComparedMetric(name: "nmi", baseline: .values([]), candidate: .values([]), scale: 1,
                               tolerance: 0.005, resamples: 200, seed: 0, decisive: true)
        }
        #expect(throws: MetricError.invalidParameter(name: "--bootstrap", value: "0", expected: "1…1000000")) {
            try PairedBootstrap(baselineCorrect: [true], candidateCorrect: [false], resamples: 0)
        }
        #expect(throws: MetricError.self) {
            try PairedBootstrap(baselineCorrect: [true, false], candidateCorrect: [false, false], resampleIndices: [[0, 2]])
        }
    }

    @Test func idxImagesOfZeroSizeOrOverflowingShapeAreErrors() throws {
        for (h, w, n) in [(0, 28, 1), (28, 0, 1), (0xffff_ffff, 0xffff_ffff, 0xffff_ffff)] as [(UInt32, UInt32, UInt32)] {
            var bytes: [UInt8] = [0, 0, 8, 3]
            for v in [n, h, w] { bytes += [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }
            let url = dir.appendingPathComponent("x-images-idx3-ubyte")
            try Data(bytes + [UInt8](repeating: 0, count: 64)).write(to: url)
            #expect(throws: DatasetError.self) { try IDXFile.readImages(url) }
        }
    }

    @Test func aMissingSplitIsAnErrorNeverTheWholeFolder() throws {
        let root = dir.appendingPathComponent("folder")
        for cls in ["cat", "dog"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(cls), withIntermediateDirectories: true)
            try Data().write(to: root.appendingPathComponent("\(cls)/1.png"))
        }
        #expect(throws: DatasetError.noSuchSplit(dataset: root.path, split: "train",
                                                 hint: "no sub-folder 'train' in '\(root.path)' (its sub-folders: cat, dog)")) {
            try DatasetSpec.load(root.path, split: "train")
        }
        #expect(try DatasetSpec.load(root.path).samples.count == 2)
    }

    @Test func manifestSplitsComeFromTheirColumn() throws {
        let csv = dir.appendingPathComponent("m.csv")
        try "path,label,split\na.png,cat,train\nb.png,dog,test\nc.png,cat,test\n".write(to: csv, atomically: true, encoding: .utf8)
        #expect(try DatasetSpec.load(csv.path, split: "test").ids == ["b.png", "c.png"])
        #expect(try DatasetSpec.load(csv.path, split: "train").ids == ["a.png"])
        #expect(try DatasetSpec.load(csv.path).ids.count == 3)
        #expect(throws: DatasetError.self) { try DatasetSpec.load(csv.path, split: "val") }
        let plain = dir.appendingPathComponent("plain.csv")
        try "path,label\na.png,cat\n".write(to: plain, atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.self) { try DatasetSpec.load(plain.path, split: "train") }
    }

    @Test func crlfJsonLinesAreRead() throws {
        let jsonl = dir.appendingPathComponent("m.jsonl")
        try "{\"path\": \"a.png\", \"label\": \"cat\"}\r\n{\"path\": \"b.png\", \"label\": 3}\r\n".write(to: jsonl, atomically: true, encoding: .utf8)
        #expect(try DatasetSpec.load(jsonl.path).ids == ["a.png", "b.png"])
    }

    @Test func anEmptyLabelIsAnErrorNamingTheRow() throws {
        let csv = dir.appendingPathComponent("empty-label.csv")
        try "path,label\na.png,cat\nb.png,\n".write(to: csv, atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.malformed(kind: "manifest", path: csv.path, location: "row 3", reason: "empty label in column 'label'")) {
            try DatasetSpec.load(csv.path)
        }
    }

    @Test func surprisesInAClassFolderAreWarnedAbout() throws {
        let root = dir.appendingPathComponent("surprises")
        for (cls, files) in [("cat", ["1.png", "2.gif"]), ("dog", [String]())] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(cls), withIntermediateDirectories: true)
            for f in files { try Data().write(to: root.appendingPathComponent("\(cls)/\(f)")) }
        }
        let d = try DatasetSpec.load(root.path)
        #expect(d.warnings.contains { $0.contains("cat/2.gif") })
        #expect(d.warnings.contains { $0.contains("'dog'") && $0.contains("no image") })
        #expect(d.sampled(10, seed: 0).warnings.contains { $0.contains("--samples 10 is more than the 1 samples") })
    }
}

/// Decompression bombs: real files whose header is patched to declare 60000×60000 pixels.
@Suite struct DecompressionBombTests {
    static let images = TestPaths.fixture("models/images")

    /// A real PNG whose IHDR says 60000×60000 (its CRC recomputed, so libpng reads the header).
    static func pngBomb() throws -> [UInt8] {
        var bytes = [UInt8](try Data(contentsOf: images.appendingPathComponent("class_a/a1.png")))
        // IHDR data starts after the signature (8), the length (4) and the type (4).
        for (offset, value) in [(16, UInt32(60000)), (20, UInt32(60000))] {
            for i in 0..<4 { bytes[offset + i] = UInt8((value >> (24 - 8 * UInt32(i))) & 0xff) }
        }
        let crc = crc32(bytes[12..<29])
        for i in 0..<4 { bytes[29 + i] = UInt8((crc >> (24 - 8 * UInt32(i))) & 0xff) }
        return bytes
    }

    /// A real JPEG whose SOF marker says 60000×60000.
    static func jpegBomb() throws -> [UInt8] {
        var bytes = [UInt8](try Data(contentsOf: images.appendingPathComponent("class_a/a2.jpg")))
        guard let sof = (2..<(bytes.count - 9)).first(where: { bytes[$0] == 0xFF && (0xC0...0xC2).contains(bytes[$0 + 1]) }) else {
            throw POSIXError(.EINVAL)
        }
        for (offset, value) in [(sof + 5, 60000), (sof + 7, 60000)] {
            bytes[offset] = UInt8(value >> 8); bytes[offset + 1] = UInt8(value & 0xff)
        }
        return bytes
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test(arguments: ["png", "jpeg"])
    func aBombIsRefusedFromItsHeaderBeforeAnyAllocation(kind: String) throws {
        let bytes = kind == "png" ? try Self.pngBomb() : try Self.jpegBomb()
        let start = Date()
        #expect(throws: ImageError.tooManyPixels(path: "bomb", width: 60000, height: 60000, limit: ImageLimits.pillowMaximum)) {
            try ImageDecoder.decode(bytes: bytes, name: "bomb")
        }
        #expect(Date().timeIntervalSince(start) < 1)
        // A limit is a limit: a smaller one refuses the real, small image too.
        let real = try Data(contentsOf: Self.images.appendingPathComponent(kind == "png" ? "class_a/a1.png" : "class_a/a2.jpg"))
        #expect(throws: ImageError.self) { try ImageDecoder.decode(bytes: [UInt8](real), limits: ImageLimits(maximumPixels: 4)) }
        #expect(throws: ImageError.self) { try ImageLimits(maximumPixels: 0) }
    }

    @Test(arguments: ["png", "jpeg"])
    func aRaisedPixelLimitStillRefusesWhatMemoryCannotHold(kind: String) throws {
        let bytes = kind == "png" ? try Self.pngBomb() : try Self.jpegBomb()
        let limits = try ImageLimits(maximumPixels: Int.max, memoryBytes: 1 << 30)
        let needed = 60000 * 60000 * ImageLimits.decodeBytesPerPixel
        #expect(throws: ImageError.tooLargeForMemory(path: "bomb", width: 60000, height: 60000, needed: needed, available: 1 << 30)) {
            try ImageDecoder.decode(bytes: bytes, name: "bomb", limits: limits)
        }
        let message = ImageError.tooLargeForMemory(path: "bomb", width: 60000, height: 60000, needed: needed, available: 1 << 30).description
        #expect(message == "image 'bomb' is 60000×60000 pixels: decoding it takes about 57.6 GB, more than the 1.1 GB of memory this process may use")
        // The real, small image fits in that memory, and not in 100 bytes; the pixel limit still wins where both refuse.
        let real = [UInt8](try Data(contentsOf: Self.images.appendingPathComponent(kind == "png" ? "class_a/a1.png" : "class_a/a2.jpg")))
        #expect(try ImageDecoder.decode(bytes: real, limits: limits).width > 0)
        #expect(throws: ImageError.self) { try ImageDecoder.decode(bytes: real, limits: ImageLimits(maximumPixels: Int.max, memoryBytes: 100)) }
        #expect(throws: ImageError.tooManyPixels(path: "bomb", width: 60000, height: 60000, limit: 1000)) {
            try ImageDecoder.decode(bytes: bytes, name: "bomb", limits: ImageLimits(maximumPixels: 1000, memoryBytes: 100))
        }
        // The limit is never more than the machine has (it is the smallest of memory and the process's limits).
        #expect(ProcessMemory.limit > 0 && UInt64(ProcessMemory.limit) <= ProcessInfo.processInfo.physicalMemory)
    }

    /// A gzip file is inflated only up to its limit (a third of the memory the process may use): a gzip bomb —
    /// gigabytes of zeros in megabytes — is refused by name instead of trapping on an allocation.
    @Test func aGzipFileInflatingPastItsLimitIsRefused() throws {
        let url = URL(fileURLWithPath: DatasetSpec.fashionMNISTDirectory).appendingPathComponent("t10k-images-idx3-ubyte.gz")
        try #require(FileManager.default.fileExists(atPath: url.path))
        #expect(try Gzip.contents(of: url).count == 16 + 10_000 * 28 * 28)
        do {
            _ = try Gzip.contents(of: url, limit: 1_000_000)
            Issue.record("a 7.8 MB inflation passed a 1 MB limit")
        } catch let error as DatasetError {
            #expect("\(error)".contains("t10k-images-idx3-ubyte.gz") && "\(error)".contains("it is more than 1 MB"), "\(error)")
        }
        #expect(Gzip.defaultLimit == ProcessMemory.limit / 3)
    }

    /// Rows that would not fit in memory are refused after the first batch, before they are collected: 64 images of
    /// 28×28 grey values take 200,704 bytes, so a budget 2 bytes short of twice that refuses them and twice that does
    /// not. (Batches of 1 image hold 5 × 3,136 bytes of inputs, well within either budget.)
    @Test func extractionThatWouldOutgrowMemoryIsRefusedAtTheFirstBatch() throws {
        var dataset = try DatasetSpec.load("fashion-mnist", split: "test")
        dataset.samples = Array(dataset.samples.prefix(64))
        let count = dataset.samples.count
        let needed = count * 28 * 28 * 4
        let tight = try ImageLimits(maximumPixels: Int.max, memoryBytes: 2 * needed - 2)
        #expect(throws: EmbeddingError.tooLargeForMemory(dataset: dataset.name, rows: count, columns: 784, needed: needed,
                                                         available: 2 * needed - 2)) {
            try EmbeddingExtractor(batchSize: 1, imageLimits: tight).extract(dataset, with: PixelModel())
        }
        let enough = try ImageLimits(maximumPixels: Int.max, memoryBytes: 2 * needed)
        let result = try EmbeddingExtractor(batchSize: 1, imageLimits: enough).extract(dataset, with: PixelModel())
        #expect(result.embeddings[.output("pixels")]?.matrix.rows == count)
        // A train set's check counts the evaluated set's rows, kept beside it: the same budget then refuses.
        #expect(throws: EmbeddingError.tooLargeForMemory(dataset: dataset.name, rows: count, columns: 784, needed: 2 * needed,
                                                         held: needed, available: 2 * needed)) {
            try EmbeddingExtractor(batchSize: 1, imageLimits: enough).extract(dataset, with: PixelModel(), held: needed)
        }
        let held = "\(EmbeddingError.tooLargeForMemory(dataset: "train", rows: 10, columns: 4, needed: 3_000_000_000, held: 2_000_000_000, available: 4_000_000_000))"
        #expect(held.contains("3.0 GB in memory with the 2.0 GB of rows already embedded, more than half of the 4.0 GB"), "\(held)")
        let message = "\(EmbeddingError.tooLargeForMemory(dataset: "photos", rows: 70_000, columns: 786_432, needed: 220_200_960_000, available: 25_000_000_000))"
        #expect(message.contains("220.2 GB") && message.contains("25.0 GB") && message.contains("--embeddings"), "\(message)")
    }

    /// A batch whose inputs would not fit in memory is refused once the first image is prepared, before the rest of
    /// its batch is (`--batch-size 2000` of 512×512 pixels trapped on a failed 3 GB allocation under a 6 GB limit).
    /// A run's inputs are held once per batch prepared ahead or running (at most 4), once joined and once as the rows
    /// written: 32×32×3 float32 inputs take 12,288 bytes, three times over for a run of one batch.
    @Test func aBatchThatWouldOutgrowMemoryIsRefusedAtItsFirstImage() throws {
        let dataset = try DatasetSpec.load(Self.images.path)
        let count = dataset.samples.count, perImage = 32 * 32 * 3 * 4
        #expect(count == 4 && (1...6).map { EmbeddingExtractor.held(batches: $0) } == [3, 4, 5, 6, 6, 6])
        let needed = count * perImage * 3
        let tight = try ImageLimits(maximumPixels: Int.max, memoryBytes: 2 * needed - 2)
        let refusal = EmbeddingError.batchTooLarge(batchSize: count, input: [32, 32, 3], held: 3, needed: needed, available: 2 * needed - 2)
        // A batch larger than the dataset is the dataset's size.
        #expect(throws: refusal) {
            try EmbeddingExtractor(batchSize: 10_000, imageLimits: tight).extract(dataset, with: PixelModel(size: (32, 32)))
        }
        var embedded = 0
        #expect(throws: refusal) {
            try EmbeddingExtractor(batchSize: count, imageLimits: tight).stream(dataset, with: PixelModel(size: (32, 32))) { _ in embedded += 1 }
        }
        #expect(embedded == 0)
        // Two batches of 2 are held four times over (98,304 bytes), and fit; so does the budget of the one batch.
        let halves = try EmbeddingExtractor(batchSize: 2, imageLimits: tight).extract(dataset, with: PixelModel(size: (32, 32)))
        #expect(halves.embeddings[.output("pixels")]?.matrix.rows == count)
        let enough = try ImageLimits(maximumPixels: Int.max, memoryBytes: 2 * needed)
        let whole = try EmbeddingExtractor(batchSize: count, imageLimits: enough).extract(dataset, with: PixelModel(size: (32, 32)))
        #expect(whole.embeddings[.output("pixels")]?.matrix.rows == count)
        // The message names the option, the input, what it would take and the largest batch that fits at any count.
        let message = "\(EmbeddingError.batchTooLarge(batchSize: 2000, input: [512, 512, 3], held: 6, needed: 37_748_736_000, available: 6_144_000_000))"
        #expect(message == "--batch-size 2000: a batch of 2000 inputs of 512×512×3 float32 values, held 6 times over while the next batches are prepared, would take 37.7 GB, more than half of the 6.1 GB this process may use; use --batch-size 162 or less",
                "\(message)")
        let none = "\(EmbeddingError.batchTooLarge(batchSize: 1, input: [4096, 4096, 3], held: 2, needed: 402_653_184, available: 700_000_000))"
        #expect(none.hasSuffix("even a batch of 1 does not fit: raise the memory this process may use"), "\(none)")
    }

    @Test func underSkipABombIsSkippedAndCounted() throws {
        let root = TestPaths.scratch("bombs")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.images.appendingPathComponent("class_a/a1.png"), to: root.appendingPathComponent("a/good.png"))
        try Data(try Self.pngBomb()).write(to: root.appendingPathComponent("a/bomb.png"))
        try Data(try Self.jpegBomb()).write(to: root.appendingPathComponent("a/bomb.jpg"))
        let dataset = try DatasetSpec.load(root.path)
        let result = try EmbeddingExtractor(onBadImage: .skip).extract(dataset, with: PixelModel(size: (8, 8)))
        #expect(result.skipped.map(\.id).sorted() == ["a/bomb.jpg", "a/bomb.png"])
        #expect(result.skipped.allSatisfy { $0.reason.contains("60000×60000") })
        #expect(throws: ImageError.self) { try EmbeddingExtractor().extract(dataset, with: PixelModel(size: (8, 8))) }
    }
}

/// Preprocessing that would trap or allocate without bound is refused where it is read.
@Suite struct HostilePreprocessingTests {
    @Test(arguments: [#"{"size": 0}"#, #"{"size": -4}"#, #"{"size": 100000}"#, #"{"size": {"height": 224, "width": 0}}"#,
                      #"{"crop_size": 0, "do_center_crop": true}"#, #"{"image_std": [0, 1, 1]}"#, #"{"image_std": 0}"#,
                      #"{"image_mean": [1e400, 0, 0]}"#, #"{"size": {"shortest_edge": 224, "longest_edge": 0}}"#,
                      // JSON booleans were read as 1: `"size": true` resized every image to 1×1.
                      #"{"size": true}"#, #"{"size": {"height": true, "width": 224}}"#, #"{"size": {"shortest_edge": true}}"#,
                      #"{"crop_size": true, "do_center_crop": true}"#])
    func absurdConfigsAreRefusedNamingTheField(json: String) {
        #expect(throws: ImageError.self) { try PreprocessorConfig(json: Data(json.utf8), path: "p.json") }
    }

    @Test func anUnknownProcessorIsReadWithAWarning() throws {
        let config = try PreprocessorConfig(json: Data(#"{"image_processor_type": "FancyImageProcessor", "size": 32}"#.utf8), path: "p.json")
        #expect(config.warnings.count == 1 && config.warnings[0].contains("FancyImageProcessor"))
        #expect(try PreprocessorConfig(json: Data(#"{"image_processor_type": "CLIPImageProcessorFast"}"#.utf8)).warnings.isEmpty)
    }

    @Test func overridesAndPixelSizesAreBounded() {
        #expect(throws: EmbeddingError.self) { try ImageModelSpec(path: "pixels", preprocessing: PreprocessorOverrides(imageSize: 100_000)) }
        #expect(throws: EmbeddingError.self) { try ImageModelSpec(path: "pixels", preprocessing: PreprocessorOverrides(cropSize: 0)) }
        #expect(throws: EmbeddingError.self) { try ImageModelSpec(path: "pixels", preprocessing: PreprocessorOverrides(imageSize: 4096)).load() }
        // --image-size and --resize both set the resize; the later one was kept silently.
        #expect(throws: EmbeddingError.invalidArgument("--image-size and --resize both set the resize (a square, or the shortest edge): give one")) {
            try ImageModelSpec(path: "pixels", preprocessing: PreprocessorOverrides(imageSize: 48, shortestEdge: 40))
        }
    }

    @Test func anExtremeAspectRatioIsRefusedBeforeResizing() throws {
        let clip = ImagePreprocessor(config: PreprocessorConfig.defaults(for: "CLIPImageProcessor"))
        let strip = #expect(throws: ImageError.self) { try clip.checkSize(width: 100_000, height: 1, path: "strip.png") }
        #expect(strip?.description.contains("aspect ratio is too extreme") == true, "\(String(describing: strip))")
        try clip.checkSize(width: 640, height: 480, path: "photo.jpg")
        // A size too large for any image names the setting, not the image's shape (which --image-size 8192 blamed).
        let huge = ImagePreprocessor(config: try PreprocessorConfig(json: Data(#"{"size": {"height": 8192, "width": 8192}}"#.utf8), path: "p.json"))
        let square = #expect(throws: ImageError.self) { try huge.checkSize(width: 640, height: 640, path: "square.png") }
        #expect(square?.description.contains("the preprocessing's size is too large") == true, "\(String(describing: square))")
    }

    /// The bound is on what `process` allocates, whatever makes it large: an image kept at its own size
    /// (`do_resize` false), a centre crop larger than the image (padded), or a resize target.
    @Test func aModelInputPastTheBoundIsRefusedWithoutResizing() throws {
        let unresized = ImagePreprocessor(config: try PreprocessorConfig(json: Data(#"{"do_resize": false}"#.utf8), path: "p.json"))
        let error = #expect(throws: ImageError.self) { try unresized.checkSize(width: 5_000, height: 5_000, path: "big.png") }
        #expect(error?.description.contains("big.png") == true && error?.description.contains("5000×5000") == true)
        try unresized.checkSize(width: 4_096, height: 4_096, path: "largest.png")
        let cropped = ImagePreprocessor(config: try PreprocessorConfig(json: Data(#"{"do_resize": false, "do_center_crop": true, "crop_size": {"height": 8192, "width": 8192}}"#.utf8), path: "p.json"))
        #expect(throws: ImageError.self) { try cropped.checkSize(width: 32, height: 32, path: "small.png") }
        // A small crop after a large resize is still refused: the resized image is made before the crop.
        let resizedThenCropped = ImagePreprocessor(config: try PreprocessorConfig(json: Data(#"{"size": {"height": 8192, "width": 8192}, "do_center_crop": true, "crop_size": 224}"#.utf8), path: "p.json"))
        #expect(throws: ImageError.self) { try resizedThenCropped.checkSize(width: 32, height: 32, path: "small.png") }
    }
}

/// BPE merges in O(n log n): a word ten times longer takes about ten times as long, never a hundred.
@Suite struct BPEScalingTests {
    @Test func aHugeWordIsMergedInLinearithmicTime() {
        let tokenizer = CLIPFixture.tokenizer
        var generator = SeededGenerator(seed: 12)
        let letters = Array("abcdefghijklmnopqrstuvwxyz").map(String.init)
        let word = (0..<120_000).map { _ in letters[generator.index(below: letters.count)] }.joined()
        func seconds(_ text: String) -> Double {
            let start = Date()
            _ = tokenizer.encode(text)
            return Date().timeIntervalSince(start)
        }
        let short = seconds(String(word.prefix(12_000))), long = seconds(word)
        #expect(long < 10, "120,000 characters took \(long) s")
        #expect(long < 40 * max(short, 0.005), "10× the length took \(long / max(short, 1e-9))× the time")
    }
}
