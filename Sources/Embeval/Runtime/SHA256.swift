import CCrypto
import Foundation

/// SHA-256 (FIPS 180-4), computed by OpenSSL's libcrypto: it uses the CPU's SHA extensions where there are some
/// (~1 GB/s on the bench machine against ~0.1 GB/s for a portable Swift loop), so hashing a model for its report
/// no longer delays the first image by seconds. Feed bytes with `update`, read the digest with `finalize`;
/// `hex(of:)`/`hex(ofFile:)` are one-shot helpers. A value: a copy goes on from the bytes fed so far, independently
/// of the original. Every step throws `RuntimeError.digestUnavailable` when libcrypto fails, which its environment
/// (`OPENSSL_CONF`) can make it do.
public struct SHA256 {
    private var context: DigestContext

    public init() throws { context = try DigestContext() }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if !isKnownUniquelyReferenced(&context) { context = try context.copy() }
        try context.update(bytes)
    }

    /// Adds bytes to the message.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        let contiguous: Void? = try bytes.withContiguousStorageIfAvailable { try update(UnsafeRawBufferPointer($0)) }
        if contiguous == nil { try Array(bytes).withUnsafeBytes { try update($0) } }
    }

    /// The 32-byte digest of the bytes added so far (more may be added afterwards).
    public func finalize() throws -> [UInt8] {
        try context.copy().finish()
    }

    /// Lowercase hex digest of `bytes`.
    public static func hex<Bytes: Sequence>(of bytes: Bytes) throws -> String where Bytes.Element == UInt8 {
        var hasher = try SHA256()
        try hasher.update(bytes)
        return hexString(try hasher.finalize())
    }

    /// Lowercase hex digest of a file's contents, read in 4 MiB chunks.
    public static func hex(ofFile url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = try SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            try chunk.withUnsafeBytes { try hasher.update($0) }
        }
        return hexString(try hasher.finalize())
    }

    static func hexString(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xf)]] })
    }
}

/// The one owner of an `EVP_MD_CTX` running SHA-256; freed with the last reference.
private final class DigestContext {
    private let context: OpaquePointer

    init() throws {
        guard let context = EVP_MD_CTX_new() else { throw Self.failure("no digest context") }
        self.context = context
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { throw Self.failure("SHA-256 not available") }
    }

    private init(copying other: DigestContext) throws {
        guard let context = EVP_MD_CTX_new() else { throw Self.failure("no digest context") }
        self.context = context
        guard EVP_MD_CTX_copy_ex(context, other.context) == 1 else { throw Self.failure("copying a digest failed") }
    }

    deinit { EVP_MD_CTX_free(context) }

    func copy() throws -> DigestContext { try DigestContext(copying: self) }

    func update(_ bytes: UnsafeRawBufferPointer) throws {
        guard EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else { throw Self.failure("update failed") }
    }

    /// The digest; the context is spent afterwards.
    func finish() throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        guard status == 1, length == 32 else { throw Self.failure("final step failed") }
        return digest
    }

    /// `what` failed, with libcrypto's own reason for it when it left one (its error queue is emptied).
    private static func failure(_ what: String) -> RuntimeError {
        var reason = what
        let code = ERR_get_error()
        if code != 0, let text = ERR_reason_error_string(code) { reason += ": " + String(cString: text) }
        ERR_clear_error()
        return .digestUnavailable(reason: reason)
    }
}
