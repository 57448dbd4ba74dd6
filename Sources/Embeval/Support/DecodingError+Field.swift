import Foundation

extension DecodingError.Context {
    /// Where in the document a value was refused, as messages name it: `extraction.shard.index`, `files.0.bytes`.
    var field: String {
        codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
