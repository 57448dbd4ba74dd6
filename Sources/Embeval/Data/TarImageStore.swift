/// The images of WebDataset shards: where each sample's image member lies, read from its shard when the image is
/// decoded. A read opens the shard, reads the member's bytes at their offset (`pread`) and closes it again, so any
/// number of threads may read at once and a dataset of thousands of shards holds no file open.
final class TarImageStore: EncodedImageStore {
    struct Entry: Sendable {
        /// Index into `shards`.
        var shard: Int
        var member: TarArchive.Member
    }

    let shards: [String]
    let entries: [Entry]

    init(shards: [String], entries: [Entry]) {
        self.shards = shards
        self.entries = entries
    }

    /// The member's bytes; a shard that can no longer be read (moved, cut short) is an `ImageError` naming it.
    func bytes(at index: Int) throws -> [UInt8] {
        guard entries.indices.contains(index) else {
            throw ImageError(path: shards.first ?? "", reason: "no image \(index) in these shards")
        }
        let entry = entries[index]
        if let refusal = ImageLimits.sizeRefusal(path: location(of: index), size: entry.member.size) { throw refusal }
        do {
            return try ReadOnlyFile(shards[entry.shard]).read(at: entry.member.offset, count: entry.member.size)
        } catch {
            guard case .unreadable(_, let reason) = error else { throw error }
            throw ImageError(path: location(of: index), reason: reason)
        }
    }

    /// `/data/test-000.tar member 000042.webp`.
    func location(of index: Int) -> String {
        guard entries.indices.contains(index) else { return "image \(index)" }
        return "\(shards[entries[index].shard]) member \(entries[index].member.name)"
    }
}
