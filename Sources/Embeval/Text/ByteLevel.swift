/// GPT-2's reversible byte → printable character table: bytes `!`…`~`, `¡`…`¬`, `®`…`ÿ` stand for themselves,
/// the 68 others (controls, space, soft hyphen…) become U+0100, U+0101, … in byte order.
enum ByteLevel {
    /// The character each byte value stands for.
    static let characters: [Unicode.Scalar] = {
        var table = [Unicode.Scalar?](repeating: nil, count: 256)
        for b in 0..<256 where (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
            table[b] = Unicode.Scalar(UInt8(b))
        }
        var next: UInt32 = 0x100
        for b in 0..<256 where table[b] == nil {
            table[b] = Unicode.Scalar(next)
            next += 1
        }
        return table.map { $0! }
    }()

    /// The byte-level characters of the scalars' UTF-8 bytes.
    static func encode(_ scalars: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var out = [Unicode.Scalar]()
        out.reserveCapacity(scalars.count)
        for s in scalars {
            let v = s.value
            if v < 0x80 {
                out.append(characters[Int(v)])
            } else if v < 0x800 {
                out.append(characters[Int(0xC0 | v >> 6)])
                out.append(characters[Int(0x80 | v & 0x3F)])
            } else if v < 0x10000 {
                out.append(characters[Int(0xE0 | v >> 12)])
                out.append(characters[Int(0x80 | v >> 6 & 0x3F)])
                out.append(characters[Int(0x80 | v & 0x3F)])
            } else {
                out.append(characters[Int(0xF0 | v >> 18)])
                out.append(characters[Int(0x80 | v >> 12 & 0x3F)])
                out.append(characters[Int(0x80 | v >> 6 & 0x3F)])
                out.append(characters[Int(0x80 | v & 0x3F)])
            }
        }
        return out
    }

    static func string(_ scalars: [Unicode.Scalar]) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
