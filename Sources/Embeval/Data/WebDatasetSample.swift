/// One sample of a WebDataset shard: the consecutive members that share a key, by suffix (`000123.png`,
/// `000123.cls` → key `000123`, suffixes `png` and `cls`).
///
/// The grouping is webdataset's own (`tar_file_iterator` and `group_by_keys`): metadata members (a first path
/// component `__…__`) and names without an extension are left out; the key is the name up to the first dot of its
/// last component, the suffix everything after that dot, lower-cased (`a/b.seg.png` → `a/b`, `seg.png`); a new key
/// starts a new sample; a suffix twice in one sample is an error.
struct WebDatasetSample {
    var key: String
    /// The sample's members by suffix, in archive order.
    var members: [(suffix: String, member: TarArchive.Member)]

    func member(_ suffix: String) -> TarArchive.Member? { members.first { $0.suffix == suffix }?.member }

    /// The samples of one shard's members, in order.
    static func group(_ members: [TarArchive.Member], shard: String) throws -> [WebDatasetSample] {
        var samples = [WebDatasetSample]()
        for member in members where !isMetadata(member.name) {
            guard let (key, suffix) = split(member.name) else { continue }
            if samples.last?.key != key { samples.append(WebDatasetSample(key: key, members: [])) }
            if samples[samples.count - 1].member(suffix) != nil {
                throw DatasetError.malformed(kind: "tar shard", path: shard, location: "member '\(member.name)'",
                                             reason: "sample '\(key)' already has a .\(suffix) member")
            }
            samples[samples.count - 1].members.append((suffix, member))
        }
        return samples
    }

    /// webdataset's `base_plus_ext`, the regular expression `^((?:.*/|)[^.]+)[.]([^/]*)$`: the name splits at the
    /// first dot of its last component when something comes before that dot; when the last component starts with a
    /// dot, the key is the folder part, provided the folder just above holds no dot. Otherwise nil.
    static func split(_ name: String) -> (key: String, suffix: String)? {
        let characters = Array(name)
        let last = (characters.lastIndex(of: "/") ?? -1) + 1
        guard let dot = characters[last...].firstIndex(of: ".") else { return nil }
        if dot == last {
            // `[^.]+` must then reach back across the slash into the folder above, which must hold no dot.
            guard last > 0 else { return nil }
            let above = (characters[..<(last - 1)].lastIndex(of: "/") ?? -1) + 1
            guard !characters[above..<last].contains(".") else { return nil }
        }
        return (String(characters[..<dot]), String(characters[(dot + 1)...]).lowercased())
    }

    /// webdataset's `skip_meta`, `__[^/]*__($|/)` at the start of the name.
    static func isMetadata(_ name: String) -> Bool {
        let first = name.prefix { $0 != "/" }
        return first.count >= 4 && first.hasPrefix("__") && first.hasSuffix("__")
    }
}
