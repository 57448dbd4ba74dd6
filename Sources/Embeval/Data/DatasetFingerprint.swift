import Foundation

extension Dataset {
    /// SHA-256 (hex) of what identifies the selected samples: the split, the subset's size and seed, the class
    /// names, and every sample's id and label in order. Two processes that read the same data — wherever it lies on
    /// disk — get the same fingerprint; another split, subset, label or order gives another.
    ///
    /// The hashed text is `embeval-dataset-v1`, then `split`, `samples`, `seed` and each class name on its own line,
    /// then `id\tlabel` per sample, each line ending in `\n`.
    public func fingerprint(samples requested: Int?, seed: UInt64) throws -> String {
        var hash = try SHA256()
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 16)
        func line(_ text: String) throws {
            buffer.append(contentsOf: text.utf8)
            buffer.append(0x0a)
            if buffer.count >= 1 << 16 { try hash.update(buffer); buffer.removeAll(keepingCapacity: true) }
        }
        try line("embeval-dataset-v1")
        try line("split \(split ?? "")")
        try line("samples \(requested.map(String.init) ?? "all")")
        try line("seed \(requested == nil ? 0 : seed)")
        try line("classes \(classes.count)")
        for name in classes { try line(name) }
        for sample in samples { try line("\(sample.id)\t\(sample.label)") }
        try hash.update(buffer)
        return SHA256.hexString(try hash.finalize())
    }
}
