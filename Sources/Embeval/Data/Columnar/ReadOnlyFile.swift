import Foundation

/// A file read in byte ranges (`pread`), for containers whose parts are read on demand: a parquet footer and column
/// chunks, Arrow IPC messages. The descriptor closes when the value goes; readers open one per operation, so a
/// dataset of thousands of shards never holds thousands of descriptors.
final class ReadOnlyFile {
    let url: URL
    let size: Int
    private let descriptor: Int32

    init(_ url: URL) throws(DatasetError) {
        self.url = url
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DatasetError.unreadable(path: url.path, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw DatasetError.unreadable(path: url.path, reason: reason)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw DatasetError.unreadable(path: url.path, reason: "not a regular file")
        }
        descriptor = fd
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// The bytes at `range`, which must lie inside the file (callers check ranges taken from the file first, and say
    /// what they were reading in `what`).
    func read(_ range: Range<Int>, _ what: @autoclosure () -> String) throws(DatasetError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw DatasetError.malformed(kind: nil, path: url.path, location: nil,
                                         reason: "\(what()) at bytes \(range.lowerBound)…\(range.upperBound) lies outside the file's \(size) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: range.count)
        var done = 0
        while done < range.count {
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(descriptor, base + done, range.count - done, off_t(range.lowerBound + done))
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                let reason = n < 0 ? String(cString: strerror(errno)) : "the file ended early (was it changed while read?)"
                throw DatasetError.unreadable(path: url.path, reason: reason)
            }
            done += n
        }
        return bytes
    }
}
