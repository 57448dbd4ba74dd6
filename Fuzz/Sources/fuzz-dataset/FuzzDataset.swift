// Dataset folders as `--dataset PATH` reads them (Data/DatasetSpec.swift and every format it recognises from a
// path: a class-per-folder tree, a .csv/.jsonl manifest with its images, a save_to_disk folder with its state.json,
// dataset_dict.json and dataset_info.json, a folder of parquet/Arrow shards grouped into splits by name, WebDataset
// tar shards, an IDX pair) and the local Hugging Face hub cache (Support/HubCache.swift: refs, snapshots). The
// input is a folder of files, each introduced by a line `== PATH` (at most seven path components); the folder is
// opened as a dataset with no split, `test` and `train`, and so is each file and folder at its top; the hub cache
// `hub/` beside them is read for the repository `owner/name` at `main` and at `v1`. Of every dataset opened, the
// sample ids, labels and classes are checked against each other, the first images are decoded, and a subset is drawn.
import Embeval
import Foundation
import FuzzSupport

/// The folder the input is unpacked into; its `hub/` is the hub cache this process reads.
private let root: URL = {
    let folder = FuzzInput.folder.appendingPathComponent("data", isDirectory: true)
    setenv("HF_HUB_CACHE", folder.appendingPathComponent("hub").path, 1)
    return folder
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDataset(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard FuzzInput.unpack(FuzzInput.bytes(data, size), into: root, depth: 7) else { return 0 }
    let top = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted().prefix(6)
    var locations = [DatasetLocation(root.path)] + top.map { DatasetLocation(root.appendingPathComponent($0).path) }
    locations += [DatasetLocation("owner/name"), DatasetLocation("owner/name", revision: "v1")]
    for location in locations {
        for split in [nil, "test", "train"] {
            guard let dataset = try? DatasetSpec.open(location, split: split, columns: ColumnMapping()) else { continue }
            check(dataset)
        }
    }
    return 0
}

/// What every command relies on once a dataset opened: a label per sample that names one of its classes, images that
/// decode or throw, a subset and a fingerprint drawn without a trap.
private func check(_ dataset: Dataset) {
    for sample in dataset.samples where !dataset.classes.indices.contains(sample.label) {
        fatalError("dataset '\(dataset.name)': sample '\(sample.id)' has label \(sample.label) of \(dataset.classes.count) classes")
    }
    for sample in dataset.samples.prefix(4) { _ = try? sample.loadImage() }
    _ = try? dataset.sampled(min(3, dataset.samples.count), seed: 1).fingerprint(samples: 3, seed: 1)
}
