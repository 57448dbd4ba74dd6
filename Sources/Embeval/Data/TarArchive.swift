/// The index of a tar archive: where each regular file's data lies, found by walking the headers (nothing is
/// unpacked, and only headers and extended headers are read).
///
/// It reads what Python's `tarfile` writes and reads — ustar, GNU long names (`L`), pax extended headers (`x`, and
/// global `g` ones, which apply to every later member, as in `tarfile`) with their `path` and `size` — and skips what
/// webdataset skips: links, directories, devices, FIFOs and unknown types. Stricter than `tarfile`, which stops
/// quietly at a damaged header, it refuses: a bad checksum, a member whose data runs past the end of the file, a
/// file that ends without the end-of-archive block (a shard cut short between two members), an extended header
/// with no member after it, sparse members. The walk ends at the first all-zero block.
struct TarArchive {
    /// A regular file in the archive: its name (after long-name and pax records) and where its data is.
    struct Member: Equatable {
        var name: String
        /// The offset of its data, and its length in bytes.
        var offset: Int
        var size: Int
        /// The offset of its header block, for messages.
        var header: Int
    }

    /// A reason a header or extended header cannot be read; the archive turns it into a `DatasetError` naming the
    /// file and the byte.
    struct Problem: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The most bytes a long name or a pax header may hold (real ones hold a path: a few hundred bytes).
    static let largestExtendedHeader = 1 << 20

    var members: [Member]

    /// Walks the archive in `file`.
    init(_ file: ReadOnlyFile) throws {
        var reader = BlockReader(file: file)
        var members = [Member]()
        // What extended headers said about the next member. As in `tarfile`, the first of a GNU long name and a pax
        // `path` to come wins, then a global pax `path`, then the header's own name.
        var nameOverride: [UInt8]? = nil
        var local = [String: String](), global = [String: String]()
        // Looked up per member, never merged per member: a global header of many records costs once, not per member.
        var globalIsSparse = false
        var pendingSince: Int? = nil   // the offset of an extended header still waiting for its member
        var offset = 0
        func fail(_ reason: String, at byte: Int) -> DatasetError {
            .malformed(kind: "tar shard", path: file.path, location: "at byte \(byte)", reason: reason)
        }

        while true {
            if offset == file.size {
                if offset == 0 { throw fail("empty file, not a tar archive", at: 0) }
                if let since = pendingSince { throw fail("an extended header with no member after it (the file ends)", at: since) }
                throw fail("the file ends without the end-of-archive block (truncated?)", at: offset)
            }
            guard file.size - offset >= TarHeader.blockSize else {
                throw fail(offset == 0 ? "not a tar archive (\(file.size) bytes, less than one header)"
                                       : "truncated header: \(file.size - offset) of its 512 bytes", at: offset)
            }
            let block = try reader.bytes(at: offset, count: TarHeader.blockSize)
            if TarHeader.isEnd(block) {
                if let since = pendingSince { throw fail("an extended header with no member after it", at: since) }
                break
            }
            let header: TarHeader
            do { header = try TarHeader(block: block) } catch {
                let reason = offset == 0 && !block.dropFirst(257).starts(with: Array("ustar".utf8))
                    ? "not a tar archive (\(error.reason))" : error.reason
                throw fail(reason, at: offset)
            }
            // pax `size` replaces the header's (files over 8 GiB); the data follows the header, padded to whole blocks.
            var size = header.size
            var name = header.name
            if [.regular, .noData, .other].contains(header.kind) {
                let record = { (key: String) in local[key] ?? global[key] }
                name = nameOverride ?? record("path").map { Array($0.utf8) } ?? header.name
                if let text = record("size") {
                    guard let value = Self.decimal(text) else { throw fail("pax size '\(text)' is not a number", at: offset) }
                    size = value
                }
                if header.kind == .regular, globalIsSparse || local.keys.contains(where: { $0.hasPrefix("GNU.sparse.") }) {
                    throw fail("member '\(String(decoding: name, as: UTF8.self))' is a sparse file, which is not supported", at: offset)
                }
            }
            let dataStart = offset + TarHeader.blockSize
            let skipsData = header.kind != .noData
            guard let padded = skipsData ? Self.padded(size) : 0 else { throw fail("a size of \(size) bytes", at: offset) }
            if skipsData, size > file.size - dataStart {
                let what = header.kind == .regular ? "member '\(String(decoding: name, as: UTF8.self))'" : "a header of type '\(Self.flag(header.flag))'"
                throw fail("\(what) declares \(size) bytes of data but the file ends at byte \(file.size) (truncated?)", at: offset)
            }
            if padded > file.size - dataStart {
                throw fail("the file ends inside the padding after the data of this header (truncated?)", at: offset)
            }

            switch header.kind {
            case .longName, .paxLocal, .paxGlobal:
                guard size <= Self.largestExtendedHeader else {
                    throw fail("an extended header of \(size) bytes (at most \(Self.largestExtendedHeader))", at: offset)
                }
                let data = try reader.bytes(at: dataStart, count: size)
                let parse = { try Self.paxRecords(data, fail: { fail($0, at: offset) }) }
                switch header.kind {
                case .longName: nameOverride = nameOverride ?? TarHeader.text(data)
                case .paxLocal:
                    let records = try parse()
                    if let path = records["path"] { nameOverride = nameOverride ?? Array(path.utf8) }
                    local.merge(records) { $1 }
                default:
                    global.merge(try parse()) { $1 }
                    globalIsSparse = global.keys.contains { $0.hasPrefix("GNU.sparse.") }
                }
                pendingSince = pendingSince ?? offset
            case .longLink:
                pendingSince = pendingSince ?? offset
            case .sparse:
                throw fail("member '\(String(decoding: name, as: UTF8.self))' is a GNU sparse file, which is not supported", at: offset)
            case .regular:
                members.append(Member(name: String(decoding: name, as: UTF8.self), offset: dataStart, size: size, header: offset))
                fallthrough
            case .noData, .other:
                nameOverride = nil
                local = [:]
                pendingSince = nil
            }
            offset = dataStart + padded
        }
        self.members = members
    }

    /// `size` rounded up to whole 512-byte blocks; nil when that does not fit an `Int`.
    private static func padded(_ size: Int) -> Int? {
        let (sum, overflow) = size.addingReportingOverflow(TarHeader.blockSize - 1)
        return size >= 0 && !overflow ? sum / TarHeader.blockSize * TarHeader.blockSize : nil
    }

    /// pax records, `"<length> <key>=<value>\n"` one after another, `length` counting the whole record; NUL padding
    /// may follow the last. Keys and values are UTF-8.
    static func paxRecords(_ data: ArraySlice<UInt8>, fail: (String) -> DatasetError) throws -> [String: String] {
        var records = [String: String]()
        var pos = data.startIndex
        while pos < data.endIndex, data[pos] != 0 {
            guard let space = data[pos...].prefix(20).firstIndex(of: UInt8(ascii: " ")),
                  let length = decimal(String(decoding: data[pos..<space], as: UTF8.self)),
                  length > space - pos + 1, length <= data.endIndex - pos else {
                throw fail("a malformed pax record at byte \(pos - data.startIndex) of its extended header")
            }
            let record = data[(space + 1)..<(pos + length)]
            guard record.last == UInt8(ascii: "\n"), let equals = record.firstIndex(of: UInt8(ascii: "=")), equals > record.startIndex else {
                throw fail("a malformed pax record at byte \(pos - data.startIndex) of its extended header")
            }
            let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
            records[key] = String(decoding: record[(equals + 1)..<(record.endIndex - 1)], as: UTF8.self)
            pos += length
        }
        return records
    }

    /// A non-negative decimal number of at most 18 digits.
    static func decimal(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    private static func flag(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "\\(\(byte))"
    }
}

/// Reads an archive's headers through a 64 KiB window, so that many small members cost a few large reads rather
/// than one per header.
private struct BlockReader {
    let file: ReadOnlyFile
    var window: [UInt8] = []
    var start = 0
    static let windowSize = 1 << 16

    /// `count` bytes at `offset`, which the caller has checked lie inside the file.
    mutating func bytes(at offset: Int, count: Int) throws -> ArraySlice<UInt8> {
        if offset < start || offset - start + count > window.count {
            start = offset
            window = try file.read(at: offset, count: max(count, min(Self.windowSize, file.size - offset)))
        }
        return window[(offset - start)..<(offset - start + count)]
    }
}
