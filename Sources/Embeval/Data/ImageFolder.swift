import Foundation

/// A directory with one sub-folder per class: `root/<class>/<image>`. Classes are the sorted sub-folder names
/// (label id = position); images are the files with an image extension, sorted by name; ids are `class/file`.
struct ImageFolder: DatasetFormat {
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "jpe", "jfif"]

    var usage: String { "a class-folder directory" }
    func recognises(_ url: URL, isDirectory: Bool) -> Bool { isDirectory }

    func open(_ location: DatasetLocation, split: String?, columns: ColumnMapping) throws -> Dataset {
        try Self.load(URL(fileURLWithPath: location.path ?? location.spec), split: split, name: location.spec)
    }

    static func load(_ url: URL, split: String?, name: String) throws -> Dataset {
        var root = url
        if let split, isDirectory(url.appendingPathComponent(split)) { root = url.appendingPathComponent(split) }
        let classes = try entries(root).filter { isDirectory(root.appendingPathComponent($0)) }
        guard !classes.isEmpty else {
            throw DatasetError.malformed(kind: "dataset folder", path: root.path, location: nil, reason: "no class sub-folders (expected <root>/<class>/<image>)")
        }
        var samples = [Sample]()
        for (label, className) in classes.enumerated() {
            let dir = root.appendingPathComponent(className)
            for file in try entries(dir) where imageExtensions.contains((file as NSString).pathExtension.lowercased()) {
                samples.append(Sample(id: "\(className)/\(file)", label: label,
                                      source: .file(dir.appendingPathComponent(file))))
            }
        }
        return Dataset(name: name, split: split, classes: classes, samples: samples)
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
