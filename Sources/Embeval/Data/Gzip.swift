import CZlib
import Foundation

/// Whole-file reads that undo gzip compression when the file has gzip's magic bytes (zlib's gzread).
enum Gzip {
    static func contents(of url: URL) throws -> [UInt8] {
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
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        return out
    }
}
