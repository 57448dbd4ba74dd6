import Foundation

/// A regular file opened for reading at offsets (`pread(2)`), which several threads may do at once: the descriptor
/// is never moved, so reads share nothing. Closed when the value goes away.
///
/// Every read is checked against the file's size first, so a size or offset taken from the file's own content can
/// never make it allocate more than the file holds.
final class ReadOnlyFile: Sendable {
    let path: String
    /// The size when opened, in bytes.
    let size: Int
    private let descriptor: Int32

    /// Opens `path`; a missing file, a folder or anything else that is not a readable regular file is an error.
    init(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw DatasetError.unreadable(path: path, reason: reason)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw DatasetError.unreadable(path: path, reason: "not a regular file")
        }
        self.path = path
        self.size = Int(info.st_size)
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Exactly `count` bytes from `offset`; a range past the end of the file, or a read that fails, is an error.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
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
