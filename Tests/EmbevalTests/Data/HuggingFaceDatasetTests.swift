import Foundation
import Testing
@testable import Embeval

/// Hugging Face datasets through `--dataset`: splits from file names, folders, globs, save_to_disk folders, the hub
/// cache, the choice of columns, labels, and every refusal naming its file (fixtures: tools/fixtures/hf_datasets.py).
@Suite struct HuggingFaceDatasetTests {
    static func fixture(_ name: String) -> String { TestPaths.fixture("hf/\(name)").path }
    static let fmnistTest = try? DatasetSpec.load("fashion-mnist", split: "test").sampled(600, seed: 0)

    @Test(arguments: [
        ("test-00000-of-00003.parquet", ["data"], "test"),
        ("train-00002-of-00003-5a1b2c3d4e.parquet", ["data"], "train"),
        ("0000.parquet", ["default", "validation"], "validation"),
        ("test-0.parquet", [], "test"),
        ("train_01.arrow", [], "train"),
        ("test.parquet", ["x"], "test"),
        ("fmnist.parquet", [], "fmnist"),
    ])
    func splitsComeFromFileNames(_ name: String, _ folders: [String], _ split: String) {
        #expect(SplitFiles.split(name: name, folders: folders) == split)
    }

    @Test func shardsGiveTheSplitsInShardOrder() throws {
        let test = try DatasetSpec.load(Self.fixture("sharded"))
        #expect(test.split == "test")   // two splits, no --split: test
        #expect(test.samples.count == 600)
        #expect(test.classes == DatasetSpec.fashionMNISTClasses)
        #expect(test.ids == (0..<600).map(String.init))
        #expect(test.labels == Self.fmnistTest?.labels)
        let train = try DatasetSpec.load(Self.fixture("sharded"), split: "train")
        #expect(train.samples.count == 600)
        #expect(try train.labels == DatasetSpec.load("fashion-mnist", split: "train").sampled(600, seed: 0).labels)
    }

    @Test func aMissingSplitIsAnErrorListingTheSplits() {
        #expect(throws: DatasetError.noSuchSplit(dataset: Self.fixture("sharded"), split: "validation", hint: "its files name the splits 'test' and 'train'")) {
            try DatasetSpec.load(Self.fixture("sharded"), split: "validation")
        }
        #expect(throws: DatasetError.noSuchSplit(dataset: Self.fixture("saved"), split: "train", hint: "its dataset_dict.json lists 'test' and 'validation'")) {
            try DatasetSpec.load(Self.fixture("saved"), split: "train")
        }
        #expect(throws: DatasetError.noSuchSplit(dataset: Self.fixture("saved-single"), split: "train", hint: "the saved dataset is the split 'test'")) {
            try DatasetSpec.load(Self.fixture("saved-single"), split: "train")
        }
        let file = Self.fixture("sharded/data/test-00000-of-00003.parquet")
        #expect(throws: DatasetError.noSuchSplit(dataset: file, split: "train", hint: "a single file is one split ('test' by its name); give the folder or a glob of the split's files")) {
            try DatasetSpec.load(file, split: "train")
        }
    }

    /// A folder whose shards are named `-i-of-n` must hold all n of the split's shards, once each: a partly downloaded
    /// snapshot was read as the whole split, its row ids after the gap no longer those of `ds[i]`. A glob or a single
    /// file picks shards on purpose and is read as it is.
    @Test func aSplitWithAShardMissingOrRepeatedIsRefused() throws {
        let dir = TestPaths.scratch()
        let data = dir.appendingPathComponent("partial/data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for name in ["test-00000-of-00003.parquet", "test-00002-of-00003.parquet", "train-00000-of-00003.parquet",
                     "train-00001-of-00003.parquet", "train-00002-of-00003.parquet"] {
            try FileManager.default.copyItem(atPath: Self.fixture("sharded/data/\(name)"), toPath: data.appendingPathComponent(name).path)
        }
        let partial = dir.appendingPathComponent("partial").path
        #expect(throws: DatasetError.malformed(kind: "dataset", path: partial, location: nil,
                                               reason: "split 'test' has 2 of its 3 shards: no shard 00001 (test-00001-of-00003…); a partly downloaded snapshot? give the missing file, or a glob of the shards wanted")) {
            try DatasetSpec.load(partial)
        }
        #expect(try DatasetSpec.load(partial, split: "train").samples.count == 600)
        #expect(try DatasetSpec.load(data.path + "/test-*.parquet").samples.count == 400)

        try FileManager.default.copyItem(atPath: Self.fixture("sharded/data/test-00001-of-00003.parquet"), toPath: data.appendingPathComponent("test-00001-of-00003.parquet").path)
        #expect(try DatasetSpec.load(partial).samples.count == 600)
        try FileManager.default.copyItem(atPath: Self.fixture("sharded/data/test-00001-of-00003.parquet"), toPath: data.appendingPathComponent("test-00001-of-00003-5a1b2c.parquet").path)
        #expect(throws: DatasetError.malformed(kind: "dataset", path: partial, location: nil,
                                               reason: "split 'test' has two files of shard 00001 (test-00001-of-00003-5a1b2c.parquet and test-00001-of-00003.parquet): remove the stale one")) {
            try DatasetSpec.load(partial)
        }
        try FileManager.default.moveItem(atPath: data.appendingPathComponent("test-00001-of-00003-5a1b2c.parquet").path, toPath: data.appendingPathComponent("test-00003-of-00004.parquet").path)
        #expect(throws: DatasetError.malformed(kind: "dataset", path: partial, location: nil,
                                               reason: "split 'test' has shards of 3 and of 4 files (test-00000-of-00003.parquet, test-00003-of-00004.parquet): files of two uploads? remove the stale ones")) {
            try DatasetSpec.load(partial)
        }
    }

    @Test func globsAndSingleFilesAndSavedFolders() throws {
        let glob = try DatasetSpec.load(Self.fixture("sharded/data/train-*.parquet"))
        #expect(glob.split == "train" && glob.samples.count == 600)
        let shard = try DatasetSpec.load(Self.fixture("sharded/data/test-00001-of-00003.parquet"), split: "test")
        #expect(shard.samples.count == 200)
        #expect(shard.labels == Array(Self.fmnistTest?.labels[200..<400] ?? []))
        let saved = try DatasetSpec.load(Self.fixture("saved"))
        #expect(saved.split == "test" && saved.labels == Self.fmnistTest?.labels)
        #expect(try DatasetSpec.load(Self.fixture("saved"), split: "validation").samples.count == 20)
        let single = try DatasetSpec.load(Self.fixture("saved-single"))
        #expect(single.split == "test" && single.labels == Self.fmnistTest?.labels)
        #expect(throws: DatasetError.notFound(spec: Self.fixture("sharded/data/none-*.parquet"), expected: ".parquet or .arrow files matching the pattern")) {
            try DatasetSpec.load(Self.fixture("sharded/data/none-*.parquet"))
        }
    }

    @Test func columnsAreChosenByFeatureOrByName() throws {
        let file = Self.fixture("cifar-style/test.parquet")
        #expect {
            try DatasetSpec.load(file)
        } throws: { error in
            "\(error)".contains("several ClassLabel columns (coarse_label, fine_label): choose one with --column label_column=NAME")
        }
        let fine = try DatasetSpec.load(file, columns: ColumnMapping(arguments: ["label_column=fine_label"]))
        #expect(fine.labels == Self.fmnistTest?.labels && fine.classes == DatasetSpec.fashionMNISTClasses)
        let coarse = try DatasetSpec.load(file, columns: ColumnMapping(arguments: ["input_column=img", "label_column=coarse_label"]))
        #expect(coarse.classes == ["clothes", "other"])
        #expect {
            try DatasetSpec.load(file, columns: ColumnMapping(arguments: ["input_column=image", "label_column=fine_label"]))
        } throws: { error in
            "\(error)".contains("no image column 'image' (columns: img (struct<bytes, path>), fine_label (integer), coarse_label (integer)); set --column input_column=NAME")
        }
        #expect {
            try DatasetSpec.load(file, columns: ColumnMapping(arguments: ["input_column=fine_label", "label_column=fine_label"]))
        } throws: { error in
            "\(error)".contains("image column 'fine_label' holds integer values, which cannot be images")
        }
    }

    @Test func stringLabelsAreSortedClasses() throws {
        let d = try DatasetSpec.load(Self.fixture("bad/strings.parquet"))
        #expect(d.classes == ["bag", "coat", "shirt"])
        #expect(d.labels == [1, 0, 1, 2])
    }

    @Test func imagesByPathAreReadRelativeToTheFile() throws {
        let paths = try DatasetSpec.load(Self.fixture("paths/test.parquet"))
        let bytes = try DatasetSpec.load(Self.fixture("codecs/none-v1.parquet"))
        #expect(paths.samples.count == 10)
        for i in 0..<10 { #expect(try paths.samples[i].loadImage() == bytes.samples[i].loadImage()) }
    }

    @Test func badTablesAreOneLineErrorsNamingTheFileAndRow() throws {
        let noImage = try DatasetSpec.load(Self.fixture("bad/no-image.parquet"))
        #expect(throws: ImageError(path: Self.fixture("bad/no-image.parquet") + " (row group 0, column 'image', row 1)",
                                   reason: "the image column holds neither bytes nor a path")) {
            try noImage.samples[1].loadImage()
        }
        #expect(throws: DatasetError.malformed(kind: "parquet file", path: Self.fixture("bad/no-label.parquet"), location: "row group 0, column 'label', row 2",
                                               reason: "has label -1 (no label), outside the 10 ClassLabel names")) {
            try DatasetSpec.load(Self.fixture("bad/no-label.parquet"))
        }
        #expect {
            try DatasetSpec.load(Self.fixture("bad/mixed"))
        } throws: { error in
            "\(error)".contains("test-00001-of-00002.parquet': label column 'label' holds string values, but integer values in") && "\(error)".contains("(mixed label types)")
        }
        for codec in ["lz4": "LZ4_RAW", "brotli": "BROTLI"] {
            #expect(throws: DatasetError.unsupported(kind: "parquet file", path: Self.fixture("bad/\(codec.key).parquet"), location: "row group 0, column 'label'",
                                                     feature: "the \(codec.value) codec (it reads UNCOMPRESSED, SNAPPY, GZIP and ZSTD)")) {
                try DatasetSpec.load(Self.fixture("bad/\(codec.key).parquet"))
            }
        }
    }

    @Test func revisionsBelongToHubIds() {
        #expect(throws: DatasetError.revisionWithoutHub(spec: Self.fixture("sharded"))) {
            try DatasetSelection(Self.fixture("sharded"), revision: "v1").load()
        }
        #expect(throws: DatasetError.invalidRevision("../x")) { try DatasetSelection("acme/fmnist", revision: "../x") }
    }

    /// Truncated and corrupted files, parquet and Arrow: a `DatasetError` (or a bad image) every time, never a trap.
    @Test(arguments: ["codecs/none-v1.parquet", "codecs/snappy-v2.parquet", "codecs/gzip-v1.parquet", "codecs/zstd-v2.parquet",
                      "saved/validation/data-00000-of-00001.arrow"])
    func damagedFilesAreErrors(_ name: String) throws {
        let original = [UInt8](try Data(contentsOf: TestPaths.fixture("hf/\(name)")))
        let scratch = TestPaths.scratch()
        let url = scratch.appendingPathComponent(URL(fileURLWithPath: name).lastPathComponent)
        func attempt(_ bytes: [UInt8]) throws -> Bool {
            try Data(bytes).write(to: url)
            do {
                let dataset = try DatasetSpec.load(url.path)
                for sample in dataset.samples { _ = try sample.loadImage() }
                return true
            } catch is DatasetError {
                return false
            } catch is ImageError {
                return false
            }
        }
        for cut in [0, 3, 7, 12, original.count / 3, original.count / 2, original.count - 9, original.count - 1] {
            #expect(try !attempt(Array(original.prefix(cut))), "\(name) cut to \(cut) bytes was read")
        }
        // One byte changed at a time, across the file: whatever happens, it is an error or a clean read.
        for position in stride(from: 0, to: original.count, by: max(1, original.count / 150)) {
            var bytes = original
            bytes[position] ^= 0x5A
            _ = try attempt(bytes)
        }
    }

    @Test func theHubCacheResolvesRefsAndRevisions() throws {
        let cache = HubCache(root: TestPaths.fixture("hf/hub"))
        let main = try #require(cache.snapshot(of: "acme/fmnist", kind: .dataset))
        #expect(main.lastPathComponent == "1f0c8b6e2a9d4c3b5a7e8f9d0c1b2a3e4f5d6c7b")
        let converted = try #require(cache.snapshot(of: "acme/fmnist", kind: .dataset, revision: "refs/convert/parquet"))
        #expect(converted.lastPathComponent == "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d")
        #expect(cache.snapshot(of: "acme/fmnist", kind: .dataset, revision: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d") == converted)
        #expect(cache.snapshot(of: "acme/fmnist", kind: .model) == nil)
        #expect(cache.snapshot(of: "acme/other", kind: .dataset) == nil)
        #expect(cache.snapshot(of: "acme/fmnist", kind: .dataset, revision: "../../etc") == nil)
        let test = try DatasetSpec.load(converted.path, split: "test")
        #expect(test.labels == Self.fmnistTest?.labels)

        #expect(HubCache(environment: ["HF_HUB_CACHE": "/a", "HF_HOME": "/b", "HOME": "/c"]).root.path == "/a")
        #expect(HubCache(environment: ["HF_HOME": "/b", "HOME": "/c"]).root.path == "/b/hub")
        #expect(HubCache(environment: ["HOME": "/c"]).root.path == "/c/.cache/huggingface/hub")
        #expect(HubCache.downloadCommand("acme/fmnist", kind: .dataset, revision: nil)
                == #"python -c "from huggingface_hub import snapshot_download; snapshot_download('acme/fmnist', repo_type='dataset')""#)
        #expect(HubCache.isRepositoryID("acme/fmnist") && HubCache.isRepositoryID("uoft-cs/cifar100") && HubCache.isRepositoryID("timm/mini-imagenet"))
        #expect(!HubCache.isRepositoryID("fashion-mnist") && !HubCache.isRepositoryID("/abs/path") && !HubCache.isRepositoryID("a/b/c")
                && !HubCache.isRepositoryID("../x") && !HubCache.isRepositoryID("a--b/c"))
    }
}
