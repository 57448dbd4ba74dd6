import Foundation

/// Reads the Python dict literal of a `.npy` header (`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`):
/// string keys in either quote style; string, `True`/`False` and tuple values; any other value (a structured
/// dtype's list) is skipped over, bracket by bracket, and kept as `other`.
struct NumpyHeaderScanner {
    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        /// The items as written, trimmed (a trailing comma leaves no empty item).
        case tuple([String])
        case other
    }

    let bytes: [UInt8]
    var position = 0

    /// The entries in the order written; nil when the text is not one dict literal (whitespace around it allowed).
    mutating func dict() -> [(String, Value)]? {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        var entries = [(String, Value)]()
        while true {
            skipSpace()
            if take(UInt8(ascii: "}")) { break }
            guard let key = string() else { return nil }
            skipSpace()
            guard take(UInt8(ascii: ":")), let value = value() else { return nil }
            entries.append((key, value))
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { return nil }
            break
        }
        skipSpace()
        return position == bytes.count ? entries : nil
    }

    private mutating func value() -> Value? {
        skipSpace()
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return string().map(Value.string)
        case UInt8(ascii: "("):
            position += 1
            guard let close = bytes[position...].firstIndex(of: UInt8(ascii: ")")) else { return nil }
            let inside = String(decoding: bytes[position..<close], as: UTF8.self)
            position = close + 1
            return .tuple(inside.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty })
        default:
            if word("True") { return .bool(true) }
            if word("False") { return .bool(false) }
            return skipValue() ? .other : nil
        }
    }

    /// A quoted string (no escapes: a header's keys and dtype strings have none).
    private mutating func string() -> String? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "'") || bytes[position] == UInt8(ascii: "\"") else { return nil }
        let quote = bytes[position]
        guard let end = bytes[(position + 1)...].firstIndex(of: quote) else { return nil }
        defer { position = end + 1 }
        return String(decoding: bytes[(position + 1)..<end], as: UTF8.self)
    }

    /// Skips any other value up to the `,` or `}` that ends it at depth 0; false when brackets or quotes never close.
    private mutating func skipValue() -> Bool {
        var depth = 0
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                guard string() != nil else { return false }
                continue
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: "}"):
                if depth == 0 { return true }
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 0 { return true }
            default: break
            }
            if depth < 0 { return false }
            position += 1
        }
        return false
    }

    private mutating func word(_ text: String) -> Bool {
        let word = Array(text.utf8)
        guard bytes[position...].starts(with: word) else { return false }
        let after = position + word.count
        // `Trueish` is a name, not True.
        if after < bytes.count, bytes[after] == UInt8(ascii: "_") || (bytes[after] | 0x20 >= 0x61 && bytes[after] | 0x20 <= 0x7A) { return false }
        position = after
        return true
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }
}
