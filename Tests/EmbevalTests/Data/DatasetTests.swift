import Foundation
import Testing
@testable import Embeval

@Test func splitMix64MatchesItsPublishedFirstOutputs() {
    var g = SeededGenerator(seed: 0)
    #expect(g.next() == 0xE220_A839_7B1D_CDAF)
    #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
}

@Test func samplingIsSeededSortedAndStable() throws {
    let store = ImageArray(width: 1, height: 1, channels: 1, pixels: Array(0..<100).map(UInt8.init))
    let d = Dataset(name: "t", split: nil, classes: ["a"], samples: (0..<100).map {
        Sample(id: String($0), label: 0, source: .array(store, index: $0))
    })
    let a = d.sampled(10, seed: 7).ids, b = d.sampled(10, seed: 7).ids, c = d.sampled(10, seed: 8).ids
    #expect(a == b)
    #expect(a != c)
    #expect(a.map { Int($0)! } == a.map { Int($0)! }.sorted())
    #expect(d.sampled(1000, seed: 0).samples.count == 100)
}

@Test func imageFolderSortsClassesAndFilesAndUsesRelativeIds() throws {
    let root = TestPaths.scratch()
    for (cls, files) in [("zebra", ["b.png", "a.jpg", "notes.txt"]), ("ant", ["x.JPEG"])] {
        let dir = root.appendingPathComponent(cls)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for f in files { try Data().write(to: dir.appendingPathComponent(f)) }
    }
    let d = try DatasetSpec.load(root.path)
    #expect(d.classes == ["ant", "zebra"])
    #expect(d.ids == ["ant/x.JPEG", "zebra/a.jpg", "zebra/b.png"])
    #expect(d.labels == [0, 1, 1])
}

@Test func imageFolderUsesTheSplitSubFolder() throws {
    let root = TestPaths.scratch()
    let dir = root.appendingPathComponent("val/cat")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try Data().write(to: dir.appendingPathComponent("1.png"))
    #expect(try DatasetSpec.load(root.path, split: "val").ids == ["cat/1.png"])
}

@Test func csvManifestMapsColumnsAndResolvesPathsAgainstItsFolder() throws {
    let root = TestPaths.scratch()
    let csv = "img,fine_label,extra\n\"sub/a, b.png\",10,x\nc.png,2,y\n\n"
    try csv.write(to: root.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
    let d = try DatasetSpec.load(root.appendingPathComponent("m.csv").path,
                                 columns: ColumnMapping(arguments: ["input_column=img", "label_column=fine_label"]))
    #expect(d.classes == ["2", "10"])     // integers sort numerically
    #expect(d.labels == [1, 0])
    #expect(d.ids == ["sub/a, b.png", "c.png"])
    guard case .file(let url) = d.samples[0].source else { Issue.record("not a file"); return }
    #expect(url.path == root.appendingPathComponent("sub/a, b.png").path)
}

@Test func jsonlManifestReadsStringAndIntegerLabels() throws {
    let root = TestPaths.scratch()
    try "{\"path\": \"a.png\", \"label\": \"dog\"}\n{\"path\": \"b.png\", \"label\": \"cat\"}\n"
        .write(to: root.appendingPathComponent("m.jsonl"), atomically: true, encoding: .utf8)
    let d = try DatasetSpec.load(root.appendingPathComponent("m.jsonl").path)
    #expect(d.classes == ["cat", "dog"])
    #expect(d.labels == [1, 0])
}

@Test func manifestErrorsNameTheFileRowAndColumn() throws {
    let root = TestPaths.scratch()
    let url = root.appendingPathComponent("m.csv")
    try "file,label\na.png,1\n".write(to: url, atomically: true, encoding: .utf8)
    #expect(throws: DatasetError.malformed(kind: "manifest", path: url.path, location: nil, reason: "no column 'path' in header [\"file\", \"label\"] (set --column input_column=NAME)")) {
        try DatasetSpec.load(url.path)
    }
    let jsonl = root.appendingPathComponent("m.jsonl")
    try "{\"path\": \"a.png\"}\n".write(to: jsonl, atomically: true, encoding: .utf8)
    #expect(throws: DatasetError.malformed(kind: "manifest", path: jsonl.path, location: "line 1", reason: "no string or integer field 'label' (set --column label_column=NAME)")) {
        try DatasetSpec.load(jsonl.path)
    }
    // A JSON true or false is no label: it was read as class 1 or 0.
    try "{\"path\": \"a.png\", \"label\": 1}\n{\"path\": \"b.png\", \"label\": true}\n".write(to: jsonl, atomically: true, encoding: .utf8)
    #expect(throws: DatasetError.malformed(kind: "manifest", path: jsonl.path, location: "line 2", reason: "no string or integer field 'label' (set --column label_column=NAME)")) {
        try DatasetSpec.load(jsonl.path)
    }
    // Labels that are one number written two ways ("1", "01", "+1") had the same rank, so their classes' order — and
    // every label id — changed from run to run (a Set's order); they are refused, naming both.
    try "path,label\na.png,1\nb.png,01\nc.png,2\nd.png,+1\n".write(to: url, atomically: true, encoding: .utf8)
    #expect(throws: DatasetError.malformed(kind: "manifest", path: url.path, location: nil, reason: "labels '+1' and '01' are the same number, 1: write each class one way")) {
        try DatasetSpec.load(url.path)
    }
    #expect(throws: DatasetError.invalidColumn(argument: "color=red", reason: "unknown key 'color' (accepted: input_column, label_column, split_column, caption_column)")) {
        try ColumnMapping(arguments: ["color=red"])
    }
}

@Test func idxPairLoadsImagesAndLabelsAndChecksCounts() throws {
    let root = TestPaths.scratch()
    let images = root.appendingPathComponent("x-images-idx3-ubyte")
    var bytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3]
    bytes += Array(0..<12).map(UInt8.init)
    try Data(bytes).write(to: images)
    try Data([0, 0, 8, 1, 0, 0, 0, 2, 1, 0]).write(to: root.appendingPathComponent("x-labels-idx1-ubyte"))
    let d = try DatasetSpec.load(images.path)
    #expect(d.ids == ["0", "1"])
    #expect(d.labels == [1, 0])
    #expect(d.classes == ["0", "1"])
    guard case .array(let store, let i) = d.samples[1].source else { Issue.record("not IDX"); return }
    #expect(store.rgbImage(i) == RGBImage(width: 3, height: 2, pixels: Array(6..<12).flatMap { [UInt8($0), UInt8($0), UInt8($0)] }))

    try Data([0, 0, 8, 1, 0, 0, 0, 3, 1, 0, 1]).write(to: root.appendingPathComponent("x-labels-idx1-ubyte"))
    #expect(throws: DatasetError.self) { try DatasetSpec.load(images.path) }
}

@Test func fashionMNISTShorthandReadsDebiansFiles() throws {
    let test = try DatasetSpec.load("fashion-mnist", split: "test")
    #expect(test.samples.count == 10_000)
    #expect(test.classes.count == 10)
    #expect(Set(test.labels).count == 10)
    #expect(throws: DatasetError.unknownSplit(dataset: "fashion-mnist", split: "val", available: ["train", "test"])) {
        try DatasetSpec.load("fashion-mnist", split: "val")
    }
}

@Test func unknownDatasetIsAOneLineError() {
    #expect(throws: DatasetError.notFound(spec: "/nonexistent/x", expected: "fashion-mnist, cifar10:DIR, cifar100:DIR, a .parquet/.arrow file, folder or glob, a save_to_disk folder, or a hub dataset id (owner/name), WebDataset shards (a .tar, a folder of them, or a pattern like 'test-{000..009}.tar'), a class-folder directory, a .csv/.jsonl manifest or an IDX file")) {
        try DatasetSpec.load("/nonexistent/x")
    }
}

@Test func cifar100BatchesGiveFineOrCoarseLabelsAndInterleavedPixels() throws {
    let root = TestPaths.scratch()
    var bytes = [UInt8]()
    for (coarse, fine) in [(1, 3), (0, 2)] {
        bytes += [UInt8(coarse), UInt8(fine)]
        bytes += [UInt8](repeating: 10, count: 1024) + [UInt8](repeating: 20, count: 1024) + [UInt8](repeating: 30, count: 1024)
    }
    try Data(bytes).write(to: root.appendingPathComponent("test.bin"))
    try "a\nb\nc\nd\n".write(to: root.appendingPathComponent("fine_label_names.txt"), atomically: true, encoding: .utf8)
    try "big\nsmall\n".write(to: root.appendingPathComponent("coarse_label_names.txt"), atomically: true, encoding: .utf8)
    let fine = try DatasetSpec.load("cifar100:\(root.path)", split: "test")
    #expect(fine.classes == ["a", "b", "c", "d"])
    #expect(fine.labels == [3, 2])
    let image = try fine.samples[0].loadImage()
    #expect(image.width == 32 && image.pixels.prefix(6) == [10, 20, 30, 10, 20, 30])
    let coarse = try DatasetSpec.load("cifar100:\(root.path)", split: "test", columns: ColumnMapping(label: "coarse_label"))
    #expect(coarse.classes == ["big", "small"])
    #expect(coarse.labels == [1, 0])
    try Data(bytes.dropLast()).write(to: root.appendingPathComponent("test.bin"))
    #expect(throws: DatasetError.malformed(kind: nil, path: root.appendingPathComponent("test.bin").path, location: nil, reason: "6147 bytes is not a whole number of 3074-byte cifar100 records")) {
        try DatasetSpec.load("cifar100:\(root.path)", split: "test")
    }
}

@Test func imageFolderTakesWebPFiles() throws {
    let root = TestPaths.scratch()
    let dir = root.appendingPathComponent("cat")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: URL(fileURLWithPath: ImagingFixtures.path("webp_lossless.webp")), to: dir.appendingPathComponent("a.webp"))
    let d = try DatasetSpec.load(root.path)
    #expect(d.ids == ["cat/a.webp"])
    #expect(d.warnings.isEmpty)
    #expect(try d.samples[0].loadImage() == ImageDecoder.decode(fileAt: ImagingFixtures.path("webp_lossless.webp")))
}

/// An IDX image's size comes from the file's header: it is held to `--max-image-pixels` and the memory a decode may
/// take like any image's, and to `-m pixels`' largest side. A 30000² IDX image aborted on a 2.7 GB allocation.
@Test func arrayImagesAreHeldToTheImageLimits() throws {
    let store = ImageArray(width: 600, height: 500, channels: 1, pixels: [UInt8](repeating: 7, count: 600 * 500))
    let sample = Sample(id: "0", label: 0, source: .array(store, index: 0))
    #expect(try sample.loadImage().width == 600)
    #expect(throws: ImageError.tooManyPixels(path: "row 0", width: 600, height: 500, limit: 1000)) {
        try sample.loadImage(limits: ImageLimits(maximumPixels: 1000))
    }
    #expect(throws: ImageError.tooLargeForMemory(path: "row 0", width: 600, height: 500, needed: 600 * 500 * 16, available: 1 << 20)) {
        try sample.loadImage(limits: ImageLimits(maximumPixels: 1 << 30, memoryBytes: 1 << 20))
    }
    expectError(containing: ["image '0' is 600×500: -m pixels takes at most 512×512 (set --image-size)"]) {
        try PixelModel().prepare(sample, limits: ImageLimits())
    }
    #expect(try PixelModel(size: (600, 500)).prepare(sample, limits: ImageLimits()).shape == [500, 600, 1])
}
