import Foundation

/// A file mapped read-only into memory (mmap(2)), unmapped when the last reference goes. The one place that holds a
/// pointer into mapped memory: everything else reads through `withBytes`, whose range is checked against the file.
///
/// Pages are read from disk (or the page cache) when first touched and can be dropped again by the kernel under
/// memory pressure, so a mapped file costs no more resident memory than the parts being read.
final class MappedFile: @unchecked Sendable {
    let url: URL
    let size: Int
    private let base: UnsafeRawPointer?

    init(_ url: URL) throws {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw EmbeddingError.unreadable(path: url.path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw EmbeddingError.unreadable(path: url.path, reason: String(cString: strerror(errno))) }
        self.url = url
        size = Int(status.st_size)
        guard size > 0 else { base = nil; return }
        let address = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw EmbeddingError.unreadable(path: url.path, reason: "cannot map it into memory: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(address)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }

    /// Calls `body` with bytes `range` of the file; a range outside it is a programming error (callers check the
    /// file's size against its header first).
    func withBytes<Result>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= size, "MappedFile: bytes \(range) outside a file of \(size)")
        return try body(UnsafeRawBufferPointer(start: base.map { $0 + range.lowerBound }, count: range.count))
    }

    /// The first `count` bytes (or all, if fewer), copied.
    func prefix(_ count: Int) -> Data {
        withBytes(0..<min(count, size)) { Data($0) }
    }
}
