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

    /// `text`'s UTF-8 bytes as byte-level characters.
    static func encode<S: Sequence>(_ utf8: S) -> String where S.Element == UInt8 {
        var out = String.UnicodeScalarView()
        for b in utf8 { out.append(characters[Int(b)]) }
        return String(out)
    }
}
