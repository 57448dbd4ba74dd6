import Foundation

/// A file the tool writes: whole or not at all.
///
/// A regular file (or a new path) is written to a temporary file beside it and renamed into place, so a reader sees
/// the old content or the new, never a mix, and a failed write (a full disk) leaves nothing behind. A path through
/// a symbolic link writes its target the same way. Anything else that exists — a FIFO, a terminal, a device such
/// as `/dev/full` — is written in place, never replaced. `-` is standard output.
public struct OutputFile: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    public func write(_ text: String) throws { try write(Data(text.utf8)) }

    public func write(_ data: Data) throws { try write { emit in try emit(data) } }

    /// Writes what `produce` hands to `emit`, a piece at a time (a file larger than memory would hold twice), with
    /// the same guarantees for a file: whole or not at all. An error `produce` throws leaves nothing behind; a
    /// `UserError`'s words become the reason. A stream (`-`, a FIFO, a device) gets the pieces as they come, so an
    /// error midway leaves it what was sent so far.
    public func write(streaming produce: (_ emit: (any ContiguousBytes) throws -> Void) throws -> Void) throws {
        if path == "-" {
            do { try produce { bytes in try FileHandle.standardOutput.write(contentsOf: bytes.withUnsafeBytes { Data($0) }) } } catch {
                throw OutputError.cannotWrite(path: "-", reason: Self.reason(error))
            }
            return
        }
        let target = Self.resolved(URL(fileURLWithPath: path))
        var status = stat()
        if lstat(target.path, &status) == 0 {
            switch status.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw OutputError.cannotWrite(path: path, reason: "it is a directory (expected a file path)")
            default:
                do { try Self.write(to: target.path, flags: O_WRONLY, produce) } catch {
                    throw OutputError.cannotWrite(path: path, reason: Self.reason(error))
                }
                return
            }
        }
        let directory = target.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputError.cannotWrite(path: path, reason: "directory '\(directory.path)' does not exist")
        }
        let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try Self.write(to: temporary.path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, produce)
            guard rename(temporary.path, target.path) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw OutputError.cannotWrite(path: path, reason: Self.reason(error))
        }
    }

    /// open(2), write(2) each piece until done, close(2): the system's own error (ENOSPC, EACCES, …) comes back as a
    /// POSIXError; an error of `produce` comes back as it is.
    private static func write(to path: String, flags: Int32,
                              _ produce: (_ emit: (any ContiguousBytes) throws -> Void) throws -> Void) throws {
        let fd = open(path, flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        do {
            try produce { piece in
                var failure: Int32 = 0
                piece.withUnsafeBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let n = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                        if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                        offset += n
                    }
                }
                if failure != 0 { throw POSIXError(.init(rawValue: failure) ?? .EIO) }
            }
        } catch {
            close(fd)
            throw error
        }
        if close(fd) != 0 { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    /// The path with symbolic links followed, a dangling one included (its target is created): writing "through" a
    /// link, as a shell's `>` does.
    static func resolved(_ url: URL) -> URL {
        var current = url.standardizedFileURL
        for _ in 0..<32 {
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current.path) else { break }
            current = URL(fileURLWithPath: destination, relativeTo: current.deletingLastPathComponent()).standardizedFileURL
        }
        return current.resolvingSymlinksInPath()
    }

    /// The system's words for a failed write (e.g. "No space left on device"), without Foundation's error domains.
    public static func reason(_ error: Error) -> String {
        if let user = error as? any UserError { return user.description }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}

/// A result that could not be written; nothing partial is left behind.
public enum OutputError: UserError, Equatable {
    case cannotWrite(path: String, reason: String)
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): path == "-" ? "cannot write to standard output: \(reason)" : "cannot write '\(path)': \(reason)"
        case .cannotCreate(let path, let reason): "cannot create output directory '\(path)': \(reason)"
        }
    }
}
