import CZlib
import Foundation

/// Whole-file reads that undo gzip compression when the file has gzip's magic bytes (zlib's gzread).
enum Gzip {
    /// The most a file may inflate to: a third of the memory the process may use (the array grows by doubling, so
    /// holding `limit` bytes can take three times that for a moment). A gzip bomb — gigabytes of zeros in a few
    /// megabytes — is refused when it passes it, instead of failing, and trapping, on an allocation.
    static var defaultLimit: Int { ProcessMemory.limit / 3 }

    static func contents(of url: URL, limit: Int = defaultLimit) throws -> [UInt8] {
        guard let handle = gzopen(url.path, "rb") else {
            throw DatasetError.unreadable(path: url.path, reason: "no such file or not readable")
        }
        defer { gzclose(handle) }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(handle, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(handle, &code).map { String(cString: $0) } ?? "read error"
                throw DatasetError.unreadable(path: url.path, reason: message)
            }
            if n == 0 { break }
            guard Int(n) <= limit - out.count else {
                throw DatasetError.unreadable(path: url.path, reason: "read whole (inflated, if gzip), it is more than \(ProcessMemory.readable(limit)), a third of the \(ProcessMemory.readable(ProcessMemory.limit)) of memory this process may use")
            }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        return out
    }
}
