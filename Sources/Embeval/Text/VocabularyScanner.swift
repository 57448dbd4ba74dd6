/// Reads `model.vocab` of a tokenizer.json straight from its bytes, keeping every key as written.
///
/// Foundation's JSON parser builds a Swift `Dictionary`, whose `String` keys compare up to canonical equivalence:
/// two tokens such as "é" and "e" + U+0301 would become one and an id would be lost. This reader walks the
/// document itself (strings, escapes, nesting) and returns the (token, id) pairs of the object form in file order;
/// nil when the document does not have that shape (the caller then keeps what the parser gave).
struct VocabularyScanner {
    private let bytes: [UInt8]
    private var i = 0

    static func vocabulary(in bytes: [UInt8]) -> [(token: String, id: Int)]? {
        var scanner = VocabularyScanner(bytes: bytes)
        return scanner.modelVocabulary()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// Finds "model" at the top level, then "vocab" inside it, and reads it if it is an object.
    private mutating func modelVocabulary() -> [(token: String, id: Int)]? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        guard enterObject() else { return nil }
        while let key = nextKey() {
            guard key == Array("model".utf8) else { guard skipValue() else { return nil }; continue }
            guard enterObject() else { return nil }
            while let inner = nextKey() {
                guard inner == Array("vocab".utf8) else { guard skipValue() else { return nil }; continue }
                skipSpace()
                return i < bytes.count && bytes[i] == UInt8(ascii: "{") ? readVocabulary() : nil
            }
            return nil
        }
        return nil
    }

    private mutating func readVocabulary() -> [(token: String, id: Int)]? {
        guard enterObject() else { return nil }
        var out = [(token: String, id: Int)]()
        while let key = nextKey() {
            skipSpace()
            let start = i
            while i < bytes.count, (bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")) || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i > start, i - start <= 12, let id = Int(String(decoding: bytes[start..<i], as: UTF8.self)) else { return nil }
            out.append((String(decoding: key, as: UTF8.self), id))
        }
        return i <= bytes.count ? out : nil
    }

    // MARK: - JSON walking

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    /// Consumes "{"; the object's keys then come from `nextKey`.
    private mutating func enterObject() -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return false }
        i += 1
        first = true
        return true
    }

    private var first = true

    /// The next key of the current object (its UTF-8 bytes, escapes decoded) with the ":" consumed; nil at "}" or
    /// on malformed input (then `i` is past the end).
    private mutating func nextKey() -> [UInt8]? {
        skipSpace()
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "}") { i += 1; return nil }
        if !first {
            guard bytes[i] == UInt8(ascii: ",") else { i = bytes.count + 1; return nil }
            i += 1
            skipSpace()
        }
        first = false
        guard let key = readString() else { i = bytes.count + 1; return nil }
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { i = bytes.count + 1; return nil }
        i += 1
        return key
    }

    /// A JSON string at `i`, as UTF-8 bytes.
    private mutating func readString() -> [UInt8]? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out = [UInt8]()
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: "\"") { return out }
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard i < bytes.count else { return nil }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var unit = hex4() else { return nil }
                var value = UInt32(unit)
                if (0xD800..<0xDC00).contains(unit) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                    i += 2
                    guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    value = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
                    unit = 0
                }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                out += Array(String(scalar).utf8)
            default: return nil
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt16? {
        guard i + 4 <= bytes.count, let v = UInt16(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else { return nil }
        i += 4
        return v
    }

    /// Skips one value of any kind (nesting tracked, strings honoured).
    private mutating func skipValue() -> Bool {
        skipSpace()
        guard i < bytes.count else { return false }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            return readString() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { guard readString() != nil else { return false }; continue }
                i += 1
                if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
                if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") { depth -= 1; if depth == 0 { return true } }
            }
            return false
        default:
            while i < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[i]) { i += 1 }
            return true
        }
    }
}
