import Foundation

/// A directory with one sub-folder per class: `root/<class>/<image>`. Classes are the sorted sub-folder names
/// (label id = position); images are the files with an image extension, sorted by name; ids are `class/file`.
struct ImageFolder: DatasetFormat {
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "jpe", "jfif", "webp"]

    var usage: String { "a class-folder directory" }
    func recognises(_ url: URL, isDirectory: Bool) -> Bool { isDirectory }

    func open(_ location: DatasetLocation, split: String?, columns: ColumnMapping) throws -> Dataset {
        try Self.load(URL(fileURLWithPath: location.path ?? location.spec), split: split, name: location.spec)
    }

    /// With a `split`, the folder must hold a sub-folder of that name: a missing split is an error, never the whole
    /// folder (which would score a train/test protocol on the same images twice).
    static func load(_ url: URL, split: String?, name: String) throws -> Dataset {
        var root = url
        if let split {
            root = url.appendingPathComponent(split)
            guard isDirectory(root) else {
                let folders = try entries(url).filter { isDirectory(url.appendingPathComponent($0)) }
                throw DatasetError.noSuchSplit(dataset: name, split: split,
                                               hint: "no sub-folder '\(split)' in '\(url.path)' (its sub-folders: \(folders.prefix(6).joined(separator: ", "))\(folders.count > 6 ? ", …" : ""))")
            }
        }
        let classes = try entries(root).filter { isDirectory(root.appendingPathComponent($0)) }
        guard !classes.isEmpty else {
            throw DatasetError.malformed(kind: "dataset folder", path: root.path, location: nil, reason: "no class sub-folders (expected <root>/<class>/<image>)")
        }
        var samples = [Sample](), others = [String](), emptyClasses = [String]()
        for (label, className) in classes.enumerated() {
            let dir = root.appendingPathComponent(className)
            let files = try entries(dir)
            let images = files.filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            others += files.filter { !imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }.map { "\(className)/\($0)" }
            if images.isEmpty { emptyClasses.append(className) }
            for file in images {
                samples.append(Sample(id: "\(className)/\(file)", label: label, source: .file(dir.appendingPathComponent(file))))
            }
        }
        var dataset = Dataset(name: name, split: split, classes: classes, samples: samples)
        if !others.isEmpty {
            dataset.warnings.append("dataset folder '\(root.path)': \(others.count) file(s) left out, not .jpg/.jpeg/.png/.webp (e.g. '\(others[0])')")
        }
        if !emptyClasses.isEmpty {
            dataset.warnings.append("dataset folder '\(root.path)': class(es) \(emptyClasses.prefix(5).map { "'\($0)'" }.joined(separator: ", ")) hold no image; they still count as classes")
        }
        return dataset
    }

    /// Visible entries of a directory, sorted by their UTF-8 bytes (as Python's `sorted(os.listdir())`).
    private static func entries(_ dir: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: dir.path)
                .filter { !$0.hasPrefix(".") }
                .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        } catch {
            throw DatasetError.unreadable(path: dir.path, reason: error.localizedDescription)
        }
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}
