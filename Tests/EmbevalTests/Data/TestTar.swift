import Foundation
@testable import Embeval

/// Small ustar archives made in the tests, for the inputs the fixture generator does not write: broken headers,
/// samples without a label, odd type flags. Each header is laid out as POSIX says (name, octal size, checksum, type
/// flag, `ustar\0` magic), so that a valid one is read by Python's `tarfile` too.
enum TestTar {
    struct Entry {
        var name: String
        var data: [UInt8]
        var type: UInt8 = UInt8(ascii: "0")

        init(_ name: String, _ data: [UInt8], type: UInt8 = UInt8(ascii: "0")) {
            self.name = name
            self.data = data
            self.type = type
        }

        init(_ name: String, text: String) { self.init(name, Array(text.utf8)) }
    }

    /// The archive: each entry's header and data padded to 512 bytes, then (unless `end` is false) two zero blocks.
    static func archive(_ entries: [Entry], end: Bool = true) -> [UInt8] {
        var out = [UInt8]()
        for entry in entries {
            out += header(name: entry.name, size: entry.data.count, type: entry.type)
            out += entry.data + [UInt8](repeating: 0, count: (512 - entry.data.count % 512) % 512)
        }
        return end ? out + [UInt8](repeating: 0, count: 1024) : out
    }

    static func header(name: String, size: Int, type: UInt8) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { block[offset + i] = b } }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(String(format: "%011o", size), at: 124)
        put("00000000000", at: 136)
        block[156] = type
        put("ustar", at: 257)
        put("00", at: 263)
        put("        ", at: 148)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum), at: 148)
        block[154] = 0
        block[155] = 0x20
        return block
    }

    /// `bytes` written to `name` in `folder`; returns the file's URL.
    @discardableResult
    static func write(_ bytes: [UInt8], to name: String, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url
    }
}
