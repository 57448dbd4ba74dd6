import Foundation

/// A file written in pieces through its descriptor — appended to, patched at an offset, synced — with every system
/// error a typed `OutputError` naming the path. The descriptor is closed when the value goes away.
final class WritableFile {
    let url: URL
    private var descriptor: Int32

    /// Opens `url` for writing (created if missing) and cuts it to `length` bytes; `mustHold` refuses a file shorter
    /// than that (a record counting bytes the file never got).
    init(_ url: URL, truncatingTo length: Int, mustHold: Int = 0) throws {
        self.url = url
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OutputError.cannotWrite(path: url.path, reason: String(cString: strerror(errno))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.failure(url, errno) }
        if Int(status.st_size) < mustHold {
            Glibc.close(descriptor)
            descriptor = -1
            throw OutputError.cannotWrite(path: url.path, reason: "it holds \(status.st_size) bytes, fewer than the \(mustHold) its progress record counts")
        }
        guard ftruncate(descriptor, off_t(length)) == 0, lseek(descriptor, off_t(length), SEEK_SET) >= 0 else { throw Self.failure(url, errno) }
    }

    deinit { if descriptor >= 0 { Glibc.close(descriptor) } }

    /// write(2) until all of `data` is written at the end.
    func append(_ data: Data) throws {
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if n < 0 { if errno == EINTR { continue }; throw Self.failure(url, errno) }
                offset += n
            }
        }
    }

    /// pwrite(2) of `data` at `offset` (a header patched in place).
    func write(_ data: Data, at offset: Int) throws {
        try data.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = pwrite(descriptor, bytes.baseAddress.map { $0 + done }, bytes.count - done, off_t(offset + done))
                if n < 0 { if errno == EINTR { continue }; throw Self.failure(url, errno) }
                done += n
            }
        }
    }

    func sync() throws {
        guard fdatasync(descriptor) == 0 else { throw Self.failure(url, errno) }
    }

    func close() throws {
        let fd = descriptor
        descriptor = -1
        guard Glibc.close(fd) == 0 else { throw Self.failure(url, errno) }
    }

    private static func failure(_ url: URL, _ code: Int32) -> OutputError {
        .cannotWrite(path: url.path, reason: String(cString: strerror(code)))
    }
}
