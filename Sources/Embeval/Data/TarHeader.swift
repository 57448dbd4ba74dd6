/// One 512-byte header block of a tar archive, read as Python's `tarfile` reads it (which is what webdataset reads
/// shards with): POSIX ustar fields, the GNU and pax type flags, octal or base-256 numbers, the checksum.
///
/// Layout (offsets in the block): name 0–99, size 124–135, checksum 148–155, type flag 156, magic 257–262,
/// prefix 345–499 (ustar: joined before the name as `prefix/name`). Text fields end at their first NUL.
struct TarHeader {
    static let blockSize = 512

    /// What a header announces, and so what the archive reader does with the data after it.
    enum Kind: Equatable {
        /// A file (`0`, NUL, `7` contiguous): a member with data.
        case regular
        /// GNU `L`: the data is the next header's name. GNU `K`: the next header's link name (ignored).
        case longName, longLink
        /// pax `x` (and Solaris `X`): records for the next header; pax `g`: records for every later header.
        case paxLocal, paxGlobal
        /// GNU `S`: a sparse file, whose data is not laid out as it reads.
        case sparse
        /// Links, devices, directories, FIFOs (`1`–`6`): no member, and (as `tarfile`) no data skipped.
        case noData
        /// Any other flag (vendor extensions, `V` volume labels, …): not a member; its data is skipped.
        case other
    }

    /// The name's bytes: `prefix/name` when the ustar prefix is set (not for GNU's own types), else `name`.
    var name: [UInt8]
    /// The size field: how many data bytes follow (before padding to whole blocks).
    var size: Int
    var kind: Kind
    /// The type flag as written (for messages).
    var flag: UInt8

    /// Whether `block` (512 bytes) is all zeros: the end of the archive.
    static func isEnd(_ block: ArraySlice<UInt8>) -> Bool { block.allSatisfy { $0 == 0 } }

    /// Reads one header block; throws a reason when the checksum or the size field is not valid.
    init(block: ArraySlice<UInt8>) throws(TarArchive.Problem) {
        let b = Array(block)
        guard b.count == Self.blockSize else { throw .init("a header block of \(b.count) bytes") }
        guard let recorded = Self.number(b[148..<156]) else { throw .init("its checksum field is not an octal number") }
        // The checksum counts the checksum field as eight spaces; old writers summed signed bytes, which `tarfile`
        // accepts too.
        let unsigned = b.indices.reduce(0) { $0 + ((148..<156).contains($1) ? 0x20 : Int(b[$1])) }
        let signed = b.indices.reduce(0) { $0 + ((148..<156).contains($1) ? 0x20 : Int(Int8(bitPattern: b[$1]))) }
        guard recorded == unsigned || recorded == signed else {
            throw .init("bad header checksum (recorded \(recorded), computed \(unsigned))")
        }
        guard let size = Self.number(b[124..<136]) else { throw .init("its size field is not a valid number") }
        flag = b[156]
        var name = Self.text(b[0..<100])
        switch flag {
        case UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .regular
        // A pre-POSIX archive marks a directory as a NUL-typed file whose name ends in a slash.
        case 0: kind = name.last == UInt8(ascii: "/") ? .noData : .regular
        case UInt8(ascii: "L"): kind = .longName
        case UInt8(ascii: "K"): kind = .longLink
        case UInt8(ascii: "x"), UInt8(ascii: "X"): kind = .paxLocal
        case UInt8(ascii: "g"): kind = .paxGlobal
        case UInt8(ascii: "S"): kind = .sparse
        case UInt8(ascii: "1")...UInt8(ascii: "6"): kind = .noData
        default: kind = .other
        }
        let prefix = Self.text(b[345..<500])
        if !prefix.isEmpty, ![.longName, .longLink, .sparse].contains(kind) { name = prefix + [UInt8(ascii: "/")] + name }
        self.name = name
        self.size = size
    }

    /// A field's text: its bytes up to the first NUL.
    static func text(_ field: ArraySlice<UInt8>) -> [UInt8] { Array(field.prefix { $0 != 0 }) }

    /// A numeric field: octal digits (up to the first NUL, spaces around them ignored, empty meaning 0), or GNU's
    /// base-256 form (first byte 0x80, then a big-endian number). Negative (0xFF) or overflowing numbers: nil.
    static func number(_ field: ArraySlice<UInt8>) -> Int? {
        guard let first = field.first else { return nil }
        if first == 0x80 {
            var value = 0
            for byte in field.dropFirst() {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 256)
                guard !overflow else { return nil }
                value = shifted | Int(byte)
            }
            return value
        }
        let isSpace = { (byte: UInt8) in byte == 0x20 || (0x09...0x0D).contains(byte) }
        let digits = text(field).drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit) else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 8)
            guard !overflow else { return nil }
            value = shifted | Int(digit - UInt8(ascii: "0"))
        }
        return value
    }
}
