import CCrypto
import Foundation

/// SHA-256 (FIPS 180-4), computed by OpenSSL's libcrypto: it uses the CPU's SHA extensions where there are some
/// (~1 GB/s on the bench machine against ~0.1 GB/s for a portable Swift loop), so hashing a model for its report
/// no longer delays the first image by seconds.
/// Feed bytes with `update`, read the digest with `finalize`; `hex(of:)`/`hex(ofFile:)` are one-shot helpers.
/// A value: a copy goes on from the bytes fed so far, independently of the original.
public struct SHA256 {
    private var context = DigestContext()

    public init() {}

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        context.update(bytes)
    }

    /// Adds bytes to the message.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if contiguous == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The 32-byte digest of the bytes added so far (more may be added afterwards).
    public func finalize() -> [UInt8] {
        context.copy().finish()
    }

    /// Lowercase hex digest of `bytes`.
    public static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hexString(hasher.finalize())
    }

    /// Lowercase hex digest of a file's contents, read in 4 MiB chunks.
    public static func hex(ofFile url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hexString(hasher.finalize())
    }

    static func hexString(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xf)]] })
    }
}

/// The one owner of an `EVP_MD_CTX` running SHA-256; freed with the last reference. A context that libcrypto cannot
/// create (out of memory) stops the process: no input leads there, and a digest must never be silently wrong.
private final class DigestContext {
    private let context: OpaquePointer

    init() {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("libcrypto: cannot allocate a digest context") }
        self.context = context
        precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "libcrypto: SHA-256 is not available")
    }

    private init(copying other: DigestContext) {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("libcrypto: cannot allocate a digest context") }
        self.context = context
        precondition(EVP_MD_CTX_copy_ex(context, other.context) == 1, "libcrypto: cannot copy a digest context")
    }

    deinit { EVP_MD_CTX_free(context) }

    func copy() -> DigestContext { DigestContext(copying: self) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1, "libcrypto: SHA-256 update failed")
    }

    /// The digest; the context is spent afterwards.
    func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(status == 1 && length == 32, "libcrypto: SHA-256 final failed")
        return digest
    }
}
