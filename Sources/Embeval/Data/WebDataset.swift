import Foundation

/// WebDataset tar shards, as CLIP_benchmark, OpenCLIP and img2dataset keep data: each sample is the members that
/// share a key (`WebDatasetSample`), read where they lie in the shards, never unpacked.
///
/// - Shards: a `.tar`, a folder of them, or a brace pattern; `--split` as `WebDatasetShards` says.
/// - Image: the sample's first member of `webp`, `png`, `jpg`, `jpeg` (CLIP_benchmark's order), then `jpe`, `jfif`;
///   read from the shard when the image is decoded (`TarImageStore`).
/// - Label: `.cls` (an integer, as text), else `.txt` (a class name), else `.json` (its field `label`, or the one
///   `--column label_column=NAME` names: an integer or a class name). A sample without image or label is an error,
///   and so is a dataset that mixes integer labels with class names.
/// - Captions: the lines of `.txt` (CLIP_benchmark's retrieval shards: one caption per line), for image ↔ text
///   retrieval. A `.txt` of several lines is captions only, never a class name; shards whose samples have captions
///   and no `.cls`/`.json` label (and no `classnames.txt`) are unlabelled.
/// - Classes: `classnames.txt` beside the shards (or in the folder above: CLIP_benchmark's `root/classnames.txt`
///   with `root/test/0.tar`), one per line in label order, when present; else the label numbers `0…max` for
///   integer labels, the distinct names (sorted as a manifest's) for text labels.
/// - Templates: `zeroshot_classification_templates.txt` found the same way becomes the dataset's `templatesFile`.
/// - Ids: the sample keys, which must be unique across the shards.
struct WebDataset: DatasetFormat {
    static let imageSuffixes = ["webp", "png", "jpg", "jpeg", "jpe", "jfif"]
    static let classNamesFile = "classnames.txt"
    static let templatesFile = "zeroshot_classification_templates.txt"
    /// The largest label member read (a `.cls` is a few bytes, a `.json` a few hundred).
    static let largestLabel = 1 << 20
    /// The largest integer label taken without a `classnames.txt` (its classes are then `0…label`).
    static let largestLabelNumber = 1 << 20

    var usage: String { "WebDataset shards (a .tar, a folder of them, or a pattern like 'test-{000..009}.tar')" }

    func recognises(_ url: URL, isDirectory: Bool) -> Bool {
        guard isDirectory else { return url.pathExtension.lowercased() == "tar" }
        // A folder of shards, or of split sub-folders of shards (CLIP_benchmark's layout). Listed without sorting:
        // a class folder of a million images is listed here too before the class-folder format reads it.
        func names(_ folder: URL) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }
        }
        func holdsShards(_ folder: URL) -> Bool {
            names(folder).contains { $0.lowercased().hasSuffix(".tar") && WebDatasetShards.isFile(folder.appendingPathComponent($0)) }
        }
        return holdsShards(url) || names(url).contains { name in
            let sub = url.appendingPathComponent(name)
            return WebDatasetShards.isFolder(sub) && holdsShards(sub)
        }
    }

    func recognises(pattern: String) -> Bool { Self.isPattern(pattern) }

    /// A spec with braces that names `.tar` files: expanded, not looked up as typed.
    static func isPattern(_ path: String) -> Bool {
        (path.contains("{") || path.contains("}")) && path.lowercased().hasSuffix(".tar")
    }

    func open(_ location: DatasetLocation, split: String?, columns: ColumnMapping) throws -> Dataset {
        guard columns.input == ColumnMapping().input else {
            throw DatasetError.invalidColumn(argument: "input_column=\(columns.input)",
                                             reason: "WebDataset shards have no input column: a sample's image is its .webp, .png, .jpg or .jpeg member")
        }
        let path = location.path ?? location.spec
        let shards = try WebDatasetShards.resolve(path, split: split, name: location.spec)
        let classNames = try Self.found(Self.classNamesFile, in: shards.folders).map(ClassNames.load(from:))

        var images = [TarImageStore.Entry](), keys = [String](), labels = [Label?](), captions = [[String]]()
        var firstShard = [String: Int]()
        for (s, url) in shards.files.enumerated() {
            let file = try ReadOnlyFile(url.path)
            for sample in try WebDatasetSample.group(TarArchive(file).members, shard: url.path) {
                if let earlier = firstShard[sample.key] {
                    throw DatasetError.malformed(kind: "tar shard", path: url.path, location: "sample '\(sample.key)'",
                                                 reason: "a second sample with this key (the first is in '\(shards.files[earlier].path)'): keys are the ids and must be unique")
                }
                firstShard[sample.key] = s
                guard let image = Self.imageSuffixes.lazy.compactMap(sample.member).first else {
                    throw DatasetError.malformed(kind: "tar shard", path: url.path, location: "sample '\(sample.key)'",
                                                 reason: "no image member (.webp, .png, .jpg or .jpeg); it has \(Self.suffixes(sample))")
                }
                images.append(TarImageStore.Entry(shard: s, member: image))
                keys.append(sample.key)
                let lines = try Self.captions(of: sample, in: file)
                captions.append(lines)
                // Without .cls or .json, a one-line .txt is the class name (read once, as its caption), and one of
                // several lines is captions (CLIP_benchmark's retrieval shards), never a class name.
                let labelMember = sample.member("cls") != nil || sample.member("json") != nil
                if !labelMember, lines.count == 1 {
                    labels.append(.name(lines[0]))
                } else if !labelMember, lines.count > 1 {
                    labels.append(nil)
                } else {
                    labels.append(try Self.label(of: sample, in: file, field: columns.label, textIsName: lines.count == 1))
                }
            }
        }
        // Unlabelled: captioned shards with no class numbers or names at all (only image ↔ text retrieval uses them).
        let labelled = labels.contains { $0 != nil } || classNames != nil
        let (ids, classes): ([Int], [String])
        if labelled {
            if let i = labels.firstIndex(where: { $0 == nil }) {
                throw DatasetError.malformed(kind: "tar shard", path: shards.files[images[i].shard].path, location: "sample '\(keys[i])'",
                                             reason: "captions (a .txt of several lines) but no label member (.cls or .json) where other samples have labels")
            }
            (ids, classes) = try Self.labelIDs(labels.compactMap { $0 }, classNames: classNames, shards: shards.files, samples: images, keys: keys)
        } else {
            (ids, classes) = (Array(repeating: 0, count: keys.count), ["(unlabelled)"])
        }
        let store = TarImageStore(shards: shards.files.map(\.path), entries: images)
        var dataset = Dataset(name: location.spec, split: shards.split, classes: classes, samples: keys.indices.map {
            Sample(id: keys[$0], label: ids[$0], source: .encoded(store, index: $0), captions: captions[$0])
        })
        dataset.isLabelled = labelled
        dataset.templatesFile = Self.found(Self.templatesFile, in: shards.folders)
        return dataset
    }

    /// The first of `folders` holding a file `name`.
    static func found(_ name: String, in folders: [URL]) -> URL? {
        folders.map { $0.appendingPathComponent(name) }.first(where: WebDatasetShards.isFile)
    }

    /// A sample's label as it is written: an integer (`.cls`, a JSON number) or a class name (`.txt`, a JSON string).
    enum Label: Equatable {
        case number(Int)
        case name(String)
    }

    /// The largest `.txt` read as captions (as large as a label may be).
    static var largestCaptions: Int { largestLabel }

    /// A sample's captions: the non-empty lines of its `.txt` (one caption per line, as CLIP_benchmark writes them).
    static func captions(of sample: WebDatasetSample, in file: ReadOnlyFile) throws -> [String] {
        guard let txt = sample.member("txt") else { return [] }
        guard txt.size <= largestCaptions else {
            throw DatasetError.malformed(kind: "tar shard", path: file.path, location: "member '\(txt.name)'",
                                         reason: "a .txt of \(txt.size) bytes (captions or a label: at most \(largestCaptions))")
        }
        let bytes = try file.read(at: txt.offset, count: txt.size)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DatasetError.malformed(kind: "tar shard", path: file.path, location: "member '\(txt.name)'", reason: "a .txt that is not UTF-8 text")
        }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A `.txt` is the name only when `textIsName` (one line): one of several lines is captions, and the `.json`
    /// beside it has the label.
    static func label(of sample: WebDatasetSample, in file: ReadOnlyFile, field: String, textIsName: Bool) throws -> Label {
        func fail(_ member: TarArchive.Member, _ reason: String) -> DatasetError {
            .malformed(kind: "tar shard", path: file.path, location: "member '\(member.name)'", reason: reason)
        }
        func text(_ member: TarArchive.Member) throws -> String {
            guard member.size <= largestLabel else { throw fail(member, "a label of \(member.size) bytes (at most \(largestLabel))") }
            let bytes = try file.read(at: member.offset, count: member.size)
            guard let text = String(validating: bytes, as: UTF8.self) else { throw fail(member, "a label that is not UTF-8 text") }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let cls = sample.member("cls") {
            let value = try text(cls)
            guard let number = Int(value), number >= 0 else { throw fail(cls, "holds '\(value.prefix(40))', not a class number ≥ 0") }
            return .number(number)
        }
        if let txt = sample.member("txt"), textIsName {
            let value = try text(txt)
            guard !value.isEmpty else { throw fail(txt, "an empty label") }
            return .name(value)
        }
        if let json = sample.member("json") {
            let value = try text(json)
            let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any]
            switch object?[field] {
            case let s as String where !s.isEmpty: return .name(s)
            case let b as NSNumber where b.isJSONBoolean:
                throw fail(json, "field '\(field)' is a boolean, not a class number or name")
            case let n as NSNumber where n.doubleValue == n.doubleValue.rounded() && n.doubleValue >= 0 && n.doubleValue < 1e15:
                return .number(n.intValue)
            default:
                throw fail(json, "no class number or name in field '\(field)' (set --column label_column=NAME)")
            }
        }
        throw DatasetError.malformed(kind: "tar shard", path: file.path, location: "sample '\(sample.key)'",
                                     reason: "no label member (.cls, .txt or .json); it has \(suffixes(sample))")
    }

    /// Label ids and class names: integer labels index `classNames` (or are their own names `0…max`), text labels are
    /// looked up in `classNames` (or become the sorted distinct names).
    static func labelIDs(_ labels: [Label], classNames: [String]?, shards: [URL], samples: [TarImageStore.Entry],
                         keys: [String]) throws -> (ids: [Int], classes: [String]) {
        func fail(_ i: Int, _ reason: String) -> DatasetError {
            .malformed(kind: "tar shard", path: shards[samples[i].shard].path, location: "sample '\(keys[i])'", reason: reason)
        }
        guard let first = labels.first else { return ([], classNames ?? []) }
        if case .number = first {
            var ids = [Int]()
            ids.reserveCapacity(labels.count)
            for (i, label) in labels.enumerated() {
                guard case .number(let n) = label else { throw fail(i, "a class name label where earlier samples have class numbers: one kind of label per dataset") }
                if let classNames, n >= classNames.count {
                    throw fail(i, "label \(n) but \(classNamesFile) names \(classNames.count) classes")
                }
                if classNames == nil, n >= largestLabelNumber {
                    throw fail(i, "label \(n): more classes than \(largestLabelNumber) need a \(classNamesFile)")
                }
                ids.append(n)
            }
            return (ids, classNames ?? (0...(ids.max() ?? 0)).map(String.init))
        }
        var names = [String]()
        names.reserveCapacity(labels.count)
        for (i, label) in labels.enumerated() {
            guard case .name(let name) = label else { throw fail(i, "a class number label where earlier samples have class names: one kind of label per dataset") }
            names.append(name)
        }
        let classes: TextLabels
        if let classNames {
            classes = TextLabels(classes: classNames)
        } else {
            do { classes = try TextLabels(sorting: names) } catch {
                throw fail(names.firstIndex { $0.utf8.elementsEqual(error.second.utf8) } ?? 0, error.reason)
            }
        }
        return (try names.enumerated().map { i, name in
            guard let n = classes.id(of: name) else { throw fail(i, "label '\(name)' is not in \(classNamesFile)") }
            return n
        }, classes.classes)
    }

    private static func suffixes(_ sample: WebDatasetSample) -> String {
        sample.members.map { ".\($0.suffix)" }.joined(separator: ", ")
    }
}
