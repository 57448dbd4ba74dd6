import Foundation

/// An exclusive lock on a folder (flock(2) on its descriptor), held while this value lives: two processes never
/// write one resumable extraction at once. The kernel drops it when the process dies, even under `kill -9`, so a
/// killed run never leaves a stale lock behind.
final class DirectoryLock {
    private let descriptor: Int32

    /// Takes the lock without waiting; a folder locked by another process is an error naming it.
    init(_ url: URL, purpose: String) throws {
        descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw OutputError.cannotWrite(path: url.path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw OutputError.cannotWrite(path: url.path, reason: code == EWOULDBLOCK
                ? "another embeval process is \(purpose) (wait for it, or stop it first)" : String(cString: strerror(code)))
        }
    }

    deinit { Glibc.close(descriptor) }
}
