// WebDataset tar shards (Data/TarHeader.swift, TarArchive.swift, WebDatasetSample.swift, WebDataset.swift,
// TarImageStore.swift): the bytes as a shard, its headers walked, its members grouped into samples with their labels
// read, and the first images' bytes read back from the shard.
@testable import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTar(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file("shard.tar", FuzzInput.bytes(data, size))
    if let file = try? ReadOnlyFile(url.path), let archive = try? TarArchive(file) {
        _ = try? WebDatasetSample.group(archive.members, shard: url.path)
    }
    if let dataset = try? WebDataset().open(DatasetLocation(url.path), split: nil, columns: ColumnMapping()) {
        for sample in dataset.samples.prefix(8) {
            if case .encoded(let store, let index) = sample.source { _ = try? store.bytes(at: index) }
        }
    }
    return 0
}
