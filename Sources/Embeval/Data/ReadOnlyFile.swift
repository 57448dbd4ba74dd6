import Foundation

/// A regular file read in byte ranges (`pread(2)`), for containers whose parts are read on demand: tar members,
/// parquet footers and column chunks, Arrow IPC messages. Several threads may read at once (the descriptor never
/// moves); readers open one per operation, so a dataset of thousands of shards never holds thousands of
/// descriptors. Closed when the value goes away.
///
/// Every read is checked against the file's size first, so a size or offset taken from the file's own content can
/// never make it allocate more than the file holds.
final class ReadOnlyFile: Sendable {
    let url: URL
    /// The size when opened, in bytes.
    let size: Int
    private let descriptor: Int32

    var path: String { url.path }

    /// Opens `url`; a missing file, a folder or anything else that is not a readable regular file is an error.
    init(_ url: URL) throws(DatasetError) {
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
        self.url = url
        self.size = Int(info.st_size)
        self.descriptor = fd
    }

    convenience init(_ path: String) throws(DatasetError) {
        try self.init(URL(fileURLWithPath: path))
    }

    deinit { close(descriptor) }

    /// The bytes at `range`, which must lie inside the file; `what` names what was being read (a column chunk, a
    /// message) for the error when it does not.
    func read(_ range: Range<Int>, _ what: @autoclosure () -> String) throws(DatasetError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw DatasetError.malformed(kind: nil, path: path, location: nil,
                                         reason: "\(what()) at bytes \(range.lowerBound)…\(range.upperBound) lies outside the file's \(size) bytes")
        }
        return try read(at: range.lowerBound, count: range.count)
    }

    /// Exactly `count` bytes from `offset`; a range past the end of the file, or a read that fails, is an error.
    func read(at offset: Int, count: Int) throws(DatasetError) -> [UInt8] {
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard offset >= 0, count >= 0, !overflow, end <= size else {
            throw DatasetError.unreadable(path: path, reason: "bytes \(offset)..<\(offset &+ count) lie past its end (\(size) bytes)")
        }
        var failure: String? = nil
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count, let base = buffer.baseAddress {
                let n = pread(descriptor, base + done, count - done, off_t(offset + done))
                if n > 0 {
                    done += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    failure = n == 0 ? "it ends at byte \(offset + done), before byte \(end) (changed while read?)"
                        : String(cString: strerror(errno))
                    break
                }
            }
            initialized = done
        }
        if let failure { throw DatasetError.unreadable(path: path, reason: failure) }
        return bytes
    }
}
