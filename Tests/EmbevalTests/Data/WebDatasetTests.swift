import Foundation
import Testing
@testable import Embeval

/// WebDataset shards as a dataset: the forms of `--dataset`, splits, labels, CLIP_benchmark's class names and
/// templates, and the images themselves — the same pixels, labels and subsets as the IDX files of the same
/// Fashion-MNIST images (tools/fixtures/webdataset_shards.py).
@Suite struct WebDatasetTests {
    static let root = TestPaths.fixture("webdataset")
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static let classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    static let testKeys = (0..<150).map { String(format: "s%07d", $0) }

    /// Every way of naming the same 150 test images gives the same samples, in order, with the class names of the
    /// `classnames.txt` beside the shards or above their split folder, and the templates file found the same way.
    @Test(arguments: [
        ("fmnist-png/test-{000..002}.tar", nil, "fmnist-png"),
        ("fmnist-png", nil, "fmnist-png"),
        ("fmnist-png", "test", "fmnist-png"),
        ("fmnist-webp", "test", "fmnist-webp"),
        ("fmnist-webp/test", nil, "fmnist-webp"),
        ("fmnist-webp/test/{0..2}.tar", nil, "fmnist-webp"),
        ("fmnist-webp/test/{0..2}.tar", "test", "fmnist-webp"),
    ] as [(String, String?, String)])
    func everyFormOfTheSpecOpensTheSameSamples(spec: String, split: String?, textFolder: String) throws {
        let d = try DatasetSpec.load(Self.path(spec), split: split)
        #expect(d.ids == Self.testKeys)
        #expect(d.classes == Self.classes)
        #expect(d.templatesFile?.path == Self.path("\(textFolder)/zeroshot_classification_templates.txt"))
        guard case .encoded = d.samples[0].source else { Issue.record("not read from the shards"); return }
    }

    @Test func aSingleShardIsItsSamplesAndFindsTheTextFilesAboveItsSplitFolder() throws {
        let d = try DatasetSpec.load(Self.path("fmnist-webp/test/1.tar"))
        #expect(d.ids == Array(Self.testKeys[50..<100]))
        #expect(d.classes == Self.classes)
        #expect(d.templatesFile?.lastPathComponent == "zeroshot_classification_templates.txt")
        #expect(try DatasetSpec.load(Self.path("fmnist-webp"), split: "train").samples.count == 60)
    }

    /// The decoded images are the IDX file's pixels (grey replicated into RGB, as Pillow converts mode L), the labels
    /// its labels: lossless WebP and PNG shards hold exactly the IDX images.
    @Test(arguments: ["fmnist-webp/test", "fmnist-png"])
    func imagesAndLabelsAreTheIDXFilesOwn(_ spec: String) throws {
        let shards = try DatasetSpec.load(Self.path(spec))
        let idx = try DatasetSpec.load(Self.path("idx/fmnist-test150-images-idx3-ubyte.gz"))
        #expect(shards.labels == idx.labels)
        for (a, b) in zip(shards.samples, idx.samples) {
            #expect(try a.loadImage() == b.loadImage(), "\(a.id)")
        }
    }

    /// `--samples N --seed S` picks the same images from the shards as from the IDX files: the subset is drawn from
    /// the dataset order, which is the same.
    @Test(arguments: [(20, 0), (37, 5), (149, 11)] as [(Int, UInt64)])
    func subsetsAreTheSameImagesAsFromIDX(count: Int, seed: UInt64) throws {
        let shards = try DatasetSelection(Self.path("fmnist-png/test-{000..002}.tar"), samples: count, seed: seed).load()
        let idx = try DatasetSelection(Self.path("idx/fmnist-test150-images-idx3-ubyte.gz"), samples: count, seed: seed).load()
        #expect(shards.ids.map { Int($0.dropFirst())! } == idx.ids.map { Int($0)! })
        #expect(shards.labels == idx.labels)
    }

    @Test func aFolderOfShardsIsReadInNumericNameOrder() throws {
        let dir = TestPaths.scratch()
        for (from, to) in [("0.tar", "10.tar"), ("1.tar", "2.tar"), ("2.tar", "0.tar")] {
            try FileManager.default.copyItem(atPath: Self.path("fmnist-webp/test/\(from)"), toPath: dir.appendingPathComponent(to).path)
        }
        let d = try DatasetSpec.load(dir.path)
        #expect(d.ids == Array(Self.testKeys[100..<150] + Self.testKeys[50..<100] + Self.testKeys[0..<50]))
        #expect(d.classes == (0...9).map(String.init))   // no classnames.txt here: the label numbers
        #expect(d.templatesFile == nil)
        #expect(WebDatasetShards.naturallyOrdered("shard-2.tar", "shard-10.tar"))
        #expect(WebDatasetShards.naturallyOrdered("a01.tar", "a1.tar"))
        #expect(!WebDatasetShards.naturallyOrdered("b.tar", "a9.tar"))
        #expect(WebDatasetShards.naturallyOrdered("x.tar", "x0.tar"))
    }

    /// Reading the images from many threads at once gives each image's own bytes.
    @Test func imagesReadInParallelAreEachTheirOwn() throws {
        let d = try DatasetSpec.load(Self.path("fmnist-png"))
        guard case .encoded(let store, _) = d.samples[0].source else { Issue.record("not encoded"); return }
        let serial = try (0..<d.samples.count).map { try store.bytes(at: $0) }
        let parallel = Parallel.map(d.samples.count) { try? store.bytes(at: $0) }
        #expect(parallel == serial)
        #expect(store.location(of: 3).hasSuffix("fmnist-png/test-000.tar member s0000003.png"))
    }

    // MARK: - What is refused

    @Test func splitsAndShardsThatAreNotThereAreErrors() {
        let webp = Self.path("fmnist-webp"), png = Self.path("fmnist-png")
        #expect(throws: DatasetError.malformed(kind: "WebDataset folder", path: webp, location: nil,
                                               reason: "holds no .tar shards itself; its sub-folders 'test', 'train' do: choose one with --split")) {
            try DatasetSpec.load(webp)
        }
        expectError(containing: ["dataset '\(webp)' has no split 'val'", "no sub-folder 'val'", "its sub-folders: test, train"]) {
            try DatasetSpec.load(webp, split: "val")
        }
        expectError(containing: ["has no split 'train'", "its shards: test-000.tar, test-001.tar, test-002.tar"]) {
            try DatasetSpec.load(png, split: "train")
        }
        expectError(containing: ["has no split 'train'", "the shard 'test-001.tar' is not named like it"]) {
            try DatasetSpec.load(Self.path("fmnist-png/test-001.tar"), split: "train")
        }
        #expect(throws: DatasetError.missingFile(what: "shard", path: Self.path("fmnist-png/test-003.tar"),
                                                 remedy: "named by the brace pattern '\(png)/test-{000..003}.tar'")) {
            try DatasetSpec.load(png + "/test-{000..003}.tar")
        }
        expectError(containing: ["brace pattern '\(png)/test-{000..002.tar'", "is never closed"]) {
            try DatasetSpec.load(png + "/test-{000..002.tar")
        }
        expectError(containing: ["has no split 'val'", "none of the 3 shards the pattern names is named like it"]) {
            try DatasetSpec.load(png + "/test-{000..002}.tar", split: "val")
        }
        #expect(throws: DatasetError.invalidColumn(argument: "input_column=img", reason: "WebDataset shards have no input column: a sample's image is its .webp, .png, .jpg or .jpeg member")) {
            try DatasetSpec.load(png, columns: ColumnMapping(input: "img"))
        }
    }

    /// Labels as webdataset writes them, and the samples no label or image can be read for.
    @Test(arguments: [
        ("txt", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.txt", text: "dog\n"), .init("b.png", WebDatasetTests.png), .init("b.txt", text: "cat")], nil),
        ("json", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.json", text: #"{"label": "dog"}"#), .init("b.jpg", WebDatasetTests.png), .init("b.json", text: #"{"label": "cat"}"#)], nil),
        ("json-number", [TestTar.Entry("a.webp", WebDatasetTests.png), .init("a.json", text: #"{"label": 1}"#), .init("b.png", WebDatasetTests.png), .init("b.json", text: #"{"label": 0}"#)], nil),
        ("no-label", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.cls", text: "1"), .init("b.png", WebDatasetTests.png), .init("b.json", text: "{}")],
         "member 'b.json': no class number or name in field 'label' (set --column label_column=NAME)"),
        ("no-label-member", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.cls", text: "1"), .init("b.png", WebDatasetTests.png), .init("b.seg.png", WebDatasetTests.png)],
         "sample 'b': no label member (.cls, .txt or .json); it has .png, .seg.png"),
        ("no-image", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.cls", text: "1"), .init("b.cls", text: "0"), .init("b.ppm", [1])],
         "sample 'b': no image member (.webp, .png, .jpg or .jpeg); it has .cls, .ppm"),
        ("mixed", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.cls", text: "1"), .init("b.png", WebDatasetTests.png), .init("b.txt", text: "cat")],
         "sample 'b': a class name label where earlier samples have class numbers: one kind of label per dataset"),
        ("not-a-number", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.cls", text: "one")], "member 'a.cls': holds 'one', not a class number ≥ 0"),
        ("negative", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.cls", text: "-1")], "member 'a.cls': holds '-1', not a class number ≥ 0"),
        ("too-many-classes", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.cls", text: "99999999")], "label 99999999: more classes than 1048576 need a classnames.txt"),
        ("same-suffix-twice", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.cls", text: "1"), .init("a.PNG", WebDatasetTests.png)], "member 'a.PNG': sample 'a' already has a .png member"),
        ("repeated-key", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.cls", text: "1"), .init("b.png", WebDatasetTests.png), .init("b.cls", text: "1"), .init("a.jpg", WebDatasetTests.png), .init("a.cls", text: "1")],
         "sample 'a': a second sample with this key"),
        ("binary-label", [TestTar.Entry("a.png", WebDatasetTests.png), .init("a.cls", [0xFF, 0xFE])], "member 'a.cls': a label that is not UTF-8 text"),
    ] as [(String, [TestTar.Entry], String?)])
    func labelsAndTheSamplesWithout(name: String, entries: [TestTar.Entry], error: String?) throws {
        let dir = TestPaths.scratch()
        let url = try TestTar.write(TestTar.archive(entries), to: "\(name).tar", in: dir)
        guard let error else {
            let d = try DatasetSpec.load(url.path)
            #expect(d.ids == ["a", "b"])
            #expect(name == "json-number" ? d.classes == ["0", "1"] && d.labels == [1, 0] : d.classes == ["cat", "dog"] && d.labels == [1, 0])
            #expect(try d.samples[1].loadImage().width == 28)
            return
        }
        expectError(containing: ["tar shard '\(url.path)'", error]) { try DatasetSpec.load(url.path) }
    }

    @Test func classNamesBesideTheShardsNameTheLabels() throws {
        let dir = TestPaths.scratch()
        try "cat\ndog\n".write(to: dir.appendingPathComponent("classnames.txt"), atomically: true, encoding: .utf8)
        let numbers = try TestTar.write(TestTar.archive([.init("a.png", Self.png), .init("a.cls", text: "1")]), to: "n/0.tar", in: dir)
        let d = try DatasetSpec.load(numbers.path)
        #expect(d.classes == ["cat", "dog"] && d.labels == [1])
        let names = try TestTar.write(TestTar.archive([.init("a.png", Self.png), .init("a.txt", text: "dog"), .init("b.png", Self.png), .init("b.txt", text: "cat")]), to: "t/0.tar", in: dir)
        #expect(try DatasetSpec.load(names.path).labels == [1, 0])
        let beyond = try TestTar.write(TestTar.archive([.init("a.png", Self.png), .init("a.cls", text: "2")]), to: "b/0.tar", in: dir)
        expectError(containing: ["sample 'a': label 2 but classnames.txt names 2 classes"]) { try DatasetSpec.load(beyond.path) }
        let unknown = try TestTar.write(TestTar.archive([.init("a.png", Self.png), .init("a.txt", text: "cow")]), to: "u/0.tar", in: dir)
        expectError(containing: ["sample 'a': label 'cow' is not in classnames.txt"]) { try DatasetSpec.load(unknown.path) }
        let json = try TestTar.write(TestTar.archive([.init("a.png", Self.png), .init("a.json", text: #"{"fine": "dog", "label": 0}"#)]), to: "j/0.tar", in: dir)
        #expect(try DatasetSpec.load(json.path, columns: ColumnMapping(label: "fine")).labels == [1])
        #expect(try DatasetSpec.load(json.path).labels == [0])
    }

    /// A shard cut short after it was indexed: reading the image is an image error naming the shard and member,
    /// which `--on-bad-image skip` can skip.
    @Test func aShardThatChangesAfterIndexingIsAnImageError() throws {
        let dir = TestPaths.scratch()
        let url = try TestTar.write(TestTar.archive([.init("a.png", Self.png), .init("a.cls", text: "1")]), to: "s.tar", in: dir)
        let d = try DatasetSpec.load(url.path)
        try Data([1, 2, 3]).write(to: url)
        #expect {
            try d.samples[0].loadImage()
        } throws: { error in
            guard let e = error as? ImageError else { return false }
            return e.path == "\(url.path) member a.png" && e.reason.contains("past its end (3 bytes)")
        }
    }

    @Test func formatsRecogniseShardsAndLeaveClassFoldersAlone() throws {
        let format = try DatasetSpec.format(for: DatasetLocation(Self.path("fmnist-webp")))
        #expect(format is WebDataset)
        #expect(try DatasetSpec.format(for: DatasetLocation(Self.path("fmnist-png/test-{000..009}.tar"))) is WebDataset)
        #expect(try DatasetSpec.format(for: DatasetLocation(TestPaths.fixture("models/images").path)) is ImageFolder)
    }

    /// The first test image as PNG (any small image would do).
    static let png: [UInt8] = {
        let d = try? DatasetSpec.load(path("fmnist-png/test-000.tar"))
        guard case .encoded(let store, let i)? = d?.samples.first?.source, let bytes = try? store.bytes(at: i) else { return [] }
        return bytes
    }()
}

/// Expects `body` to throw an error whose one-line description contains every one of `parts`.
func expectError<T>(containing parts: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) {
    do {
        _ = try body()
        Issue.record("no error; expected one containing \(parts)", sourceLocation: sourceLocation)
    } catch {
        let text = "\(error)"
        #expect(parts.allSatisfy(text.contains) && !text.contains("\n"), "\(text)", sourceLocation: sourceLocation)
    }
}

/// CLIP_benchmark's retrieval shards: `.txt` holds one caption per line and there is no label.
@Test func captionShardsAreUnlabelledWithOneCaptionPerLine() throws {
    let dir = TestPaths.scratch()
    let png = WebDatasetTests.png
    let url = try TestTar.write(TestTar.archive([
        .init("a.png", png), .init("a.txt", text: "a dog on grass\r\na brown dog\n"),
        .init("b.png", png), .init("b.txt", text: "a cat\n\n  a sleeping cat  \nthe cat\n"),
    ]), to: "captions.tar", in: dir)
    let d = try DatasetSpec.load(url.path)
    #expect(!d.isLabelled && d.classes == ["(unlabelled)"] && d.labels == [0, 0])
    #expect(d.samples.map(\.captions) == [["a dog on grass", "a brown dog"], ["a cat", "a sleeping cat", "the cat"]])

    // With a class number, the lines are captions of a labelled sample; a one-line .txt label is its caption too.
    let labelled = try TestTar.write(TestTar.archive([
        .init("a.png", png), .init("a.cls", text: "1"), .init("a.txt", text: "one\ntwo\n"),
        .init("b.png", png), .init("b.cls", text: "0"),
    ]), to: "labelled.tar", in: dir)
    let l = try DatasetSpec.load(labelled.path)
    #expect(l.isLabelled && l.labels == [1, 0] && l.samples.map(\.captions) == [["one", "two"], []])
    let named = try TestTar.write(TestTar.archive([.init("a.png", png), .init("a.txt", text: "dog\n")]), to: "named.tar", in: dir)
    let n = try DatasetSpec.load(named.path)
    #expect(n.isLabelled && n.classes == ["dog"] && n.samples[0].captions == ["dog"])

    // Captions where the other samples are labelled leave that sample without a label: an error naming it.
    let mixed = try TestTar.write(TestTar.archive([
        .init("a.png", png), .init("a.cls", text: "1"), .init("b.png", png), .init("b.txt", text: "x\ny\n"),
    ]), to: "mixed.tar", in: dir)
    expectError(containing: ["sample 'b'", "captions (a .txt of several lines) but no label member"]) { try DatasetSpec.load(mixed.path) }
}

/// Shards named for two splits are never read as one set: without `--split`, the test split's shards (as a Hugging
/// Face folder), else an error listing the splits. Reading both made a train/test protocol score train images
/// against themselves (92 % where the test split alone gives 60 %).
@Test func shardsOfSeveralSplitsAreNeverReadAsOneSet() throws {
    let dir = TestPaths.scratch()
    let png = WebDatasetTests.png
    func shard(_ path: String, keys: [String]) throws {
        try TestTar.write(TestTar.archive(keys.flatMap { [TestTar.Entry("\($0).png", png), .init("\($0).cls", text: "1")] }), to: path, in: dir)
    }
    try shard("mixed/train-000.tar", keys: ["t1", "t2"])
    try shard("mixed/train-001.tar", keys: ["t3"])
    try shard("mixed/test-000.tar", keys: ["e1"])
    try shard("named/imagenet-train-0.tar", keys: ["t1"])
    try shard("named/imagenet-val-0.tar", keys: ["v1"])
    try shard("named/imagenet-val-1.tar", keys: ["v2"])
    try shard("coco/coco-train2017-000.tar", keys: ["t1"])
    try shard("coco/coco-val2017-000.tar", keys: ["v1"])
    try shard("prefixed/eval-set-train-000.tar", keys: ["t1"])
    try shard("prefixed/eval-set-test-000.tar", keys: ["e1"])
    try shard("one/train-0.tar", keys: ["t1"])
    try shard("one/train-1.tar", keys: ["t2"])

    let mixed = try DatasetSpec.load(dir.appendingPathComponent("mixed").path)
    #expect(mixed.ids == ["e1"] && mixed.split == "test")
    let pattern = try DatasetSpec.load(dir.appendingPathComponent("mixed").path + "/{train,test}-000.tar")
    #expect(pattern.ids == ["e1"] && pattern.split == "test")
    #expect(try DatasetSpec.load(dir.appendingPathComponent("mixed").path, split: "train").ids == ["t1", "t2", "t3"])

    let named = dir.appendingPathComponent("named").path
    expectError(containing: ["dataset '\(named)' has splits 'train' and 'val': choose one with --split"]) { try DatasetSpec.load(named) }
    #expect(try DatasetSpec.load(named, split: "val").ids == ["v1", "v2"])
    // A split word with a year (`val2017`), and the last split word of a name (`eval-set-test`), name the split.
    let coco = dir.appendingPathComponent("coco").path
    expectError(containing: ["dataset '\(coco)' has splits 'train' and 'val': choose one with --split"]) { try DatasetSpec.load(coco) }
    #expect(try DatasetSpec.load(coco, split: "val").ids == ["v1"])
    let prefixed = try DatasetSpec.load(dir.appendingPathComponent("prefixed").path)
    #expect(prefixed.ids == ["e1"] && prefixed.split == "test")
    // Shards of one split only, or named for none, are all read.
    #expect(try DatasetSpec.load(dir.appendingPathComponent("one").path).ids == ["t1", "t2"])
}

/// WebDataset labels: one number written two ways (whose class order no run could reproduce) and JSON booleans are
/// refused; a `.txt` of several lines is captions, so the `.json` beside it gives the label.
@Test func webDatasetLabelsAreReadOneWay() throws {
    let dir = TestPaths.scratch()
    let png = WebDatasetTests.png
    let spellings = try TestTar.write(TestTar.archive([
        .init("a.png", png), .init("a.txt", text: "1"), .init("b.png", png), .init("b.txt", text: "01"), .init("c.png", png), .init("c.txt", text: "2"),
    ]), to: "spellings.tar", in: dir)
    expectError(containing: ["tar shard '\(spellings.path)'", "labels '01' and '1' are the same number, 1: write each class one way"]) {
        try DatasetSpec.load(spellings.path)
    }
    let boolean = try TestTar.write(TestTar.archive([
        .init("a.png", png), .init("a.json", text: #"{"label": true}"#), .init("b.png", png), .init("b.json", text: #"{"label": 0}"#),
    ]), to: "boolean.tar", in: dir)
    expectError(containing: ["member 'a.json': field 'label' is a boolean, not a class number or name"]) { try DatasetSpec.load(boolean.path) }

    let captioned = try TestTar.write(TestTar.archive([
        .init("a.png", png), .init("a.txt", text: "a cat\nanother caption\n"), .init("a.json", text: #"{"label": 3}"#),
        .init("b.png", png), .init("b.txt", text: "a dog\na dog again\n"), .init("b.json", text: #"{"label": 1}"#),
    ]), to: "captioned.tar", in: dir)
    let d = try DatasetSpec.load(captioned.path)
    #expect(d.isLabelled && d.classes == ["0", "1", "2", "3"] && d.labels == [3, 1])
    #expect(d.samples.map(\.captions) == [["a cat", "another caption"], ["a dog", "a dog again"]])
}

/// Text labels are told apart by their bytes, as Python's `str` does: "café" in NFC and in NFD are two classes (Swift's
/// `String` equality made them one, pairing the images of one class with the other's label).
@Test func labelsDifferingInUnicodeNormalisationAreTwoClasses() throws {
    let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
    let labels = try TextLabels(sorting: [nfc, nfd, nfc, "bar"])
    #expect(labels.classes.map { Array($0.utf8) } == ["bar", nfd, nfc].map { Array($0.utf8) })
    #expect([nfc, nfd, "bar", "baz"].map(labels.id(of:)) == [2, 1, 0, nil])

    let dir = TestPaths.scratch()
    let png = WebDatasetTests.png
    let shard = try TestTar.write(TestTar.archive([
        .init("a.png", png), .init("a.txt", text: nfc), .init("b.png", png), .init("b.txt", text: nfd),
    ]), to: "unicode.tar", in: dir)
    let d = try DatasetSpec.load(shard.path)
    #expect(d.classes.count == 2 && d.labels == [1, 0])

    let manifest = dir.appendingPathComponent("m.csv")
    try "path,label\nx.png,\(nfc)\ny.png,\(nfd)\n".write(to: manifest, atomically: true, encoding: .utf8)
    let m = try DatasetSpec.load(manifest.path)
    #expect(m.classes.count == 2 && m.labels == [1, 0])
}

/// An image larger than any is read (256 MiB) is an image error before anything is allocated, whether it is a tar
/// member or a file: a 5 GiB member aborted on its allocation, even under `--on-bad-image skip`. The files here
/// are sparse.
@Test func imagesLargerThanAnyReadAreImageErrors() throws {
    let dir = TestPaths.scratch()
    let size = ImageLimits.largestFile + 1
    var archive = TestTar.archive([.init("a.cls", text: "1")], end: false)
    archive += TestTar.header(name: "a.png", size: size, type: UInt8(ascii: "0"))
    let url = try TestTar.write(archive, to: "big.tar", in: dir)
    let handle = try FileHandle(forWritingTo: url)
    try handle.seek(toOffset: UInt64(archive.count + (size + 511) / 512 * 512))
    try handle.write(contentsOf: [UInt8](repeating: 0, count: 1024))
    try handle.close()
    let d = try DatasetSpec.load(url.path)
    #expect(throws: ImageError(path: "\(url.path) member a.png", reason: "an image of \(size) bytes (at most \(ImageLimits.largestFile) are read)")) {
        try d.samples[0].loadImage()
    }

    let file = dir.appendingPathComponent("big.png")
    FileManager.default.createFile(atPath: file.path, contents: Data())
    let writer = try FileHandle(forWritingTo: file)
    try writer.truncate(atOffset: UInt64(size))
    try writer.close()
    #expect(throws: ImageError(path: file.path, reason: "an image of \(size) bytes (at most \(ImageLimits.largestFile) are read)")) {
        try ImageDecoder.decode(fileAt: file.path)
    }
}
