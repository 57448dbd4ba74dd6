import Foundation

/// Reads back a document `StreamedJSON` wrote, member by member: number arrays (the millions of values of a saved
/// map) straight into `[Float]` / `[Int32]`, every other value handed to `JSONDecoder` as its own few bytes.
/// `JSONDecoder` on the whole document would first build a tree of every number — seconds and gigabytes at a
/// million points.
struct JSONReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Where a document stops making sense, by byte offset.
    struct Problem: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "at byte \(offset): \(reason)" }
    }

    /// Reads an object, calling `member` with each key; `member` must read or skip the key's value.
    mutating func readObject(_ member: (String, inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") { position += 1; return }
        while true {
            let key = try decode(String.self)
            try expect(UInt8(ascii: ":"))
            let before = position
            try member(key, &self)
            if position == before { try skipValue() }
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            case let byte: throw Problem(offset: position - 1, reason: "expected ',' or '}' after member '\(key)', found '\(Character(Unicode.Scalar(byte)))'")
            }
        }
    }

    /// An array of numbers, each rounded to the nearest float (as `JSONDecoder` reads `[Float]`).
    mutating func readFloats() throws -> [Float] {
        try readNumbers { token, offset in
            var value: Float = 0
            let parsed = token.withUnsafeBufferPointer { text -> Bool in
                guard let start = text.baseAddress else { return false }
                var end: UnsafeMutablePointer<CChar>? = nil
                value = strtof(start, &end)
                return end.map { UnsafePointer<CChar>($0) } == start + (text.count - 1)   // the whole token (before its NUL) is the number
            }
            guard parsed else { throw Problem(offset: offset, reason: "'\(String(cString: token))' is not a number") }
            return value
        }
    }

    /// An array of integers, each within Int32.
    mutating func readInt32s() throws -> [Int32] {
        try readNumbers { token, offset in
            let digits = token.dropLast()   // the NUL
            let negative = digits.first == CChar(bitPattern: UInt8(ascii: "-"))
            var value: Int64 = 0
            for char in digits.dropFirst(negative ? 1 : 0) {
                let digit = Int64(UInt8(bitPattern: char)) - Int64(UInt8(ascii: "0"))
                guard (0...9).contains(digit), value <= Int64(Int32.max) + 1 else { value = Int64.max; break }
                value = value * 10 + digit
            }
            guard digits.count > (negative ? 1 : 0), let result = Int32(exactly: negative ? -value : value) else {
                throw Problem(offset: offset, reason: "'\(String(cString: token))' is not a 32-bit integer")
            }
            return result
        }
    }

    /// The next value, whatever it is, through `JSONDecoder`.
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try skipWhitespace()
        let start = position
        try skipValue()
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes[start..<position]))
        } catch {
            throw Problem(offset: start, reason: "cannot read \(T.self): \(error)")
        }
    }

    /// Steps over the next value, checking only that its brackets and strings close.
    mutating func skipValue() throws {
        try skipWhitespace()
        var depth = 0
        repeat {
            guard position < bytes.count else { throw Problem(offset: position, reason: "the document ends inside a value") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; position += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0 else { throw Problem(offset: position, reason: "expected a value, found '\(Character(Unicode.Scalar(byte)))'") }
                depth -= 1; position += 1
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                guard depth > 0 else { throw Problem(offset: position, reason: "expected a value, found '\(Character(Unicode.Scalar(byte)))'") }
                position += 1
            default:
                position += 1
                while position < bytes.count, !Self.isDelimiter(bytes[position]) { position += 1 }
            }
            if depth > 0 { try skipWhitespace() }
        } while depth > 0
    }

    /// Checks that nothing but whitespace follows.
    mutating func end() throws {
        try skipWhitespace(allowingEnd: true)
        guard position == bytes.count else { throw Problem(offset: position, reason: "more after the document's end") }
    }

    // MARK: - Pieces

    private mutating func readNumbers<T>(_ parse: ([CChar], Int) throws -> T) throws -> [T] {
        try expect(UInt8(ascii: "["))
        var values = [T]()
        if try peek() == UInt8(ascii: "]") { position += 1; return values }
        var token = [CChar]()
        token.reserveCapacity(Self.longestNumber + 1)
        while true {
            try skipWhitespace()
            let start = position
            while position < bytes.count, Self.isNumberByte(bytes[position]), position - start <= Self.longestNumber { position += 1 }
            guard position > start, position - start <= Self.longestNumber else {
                throw Problem(offset: start, reason: position == start ? "expected a number" : "a number longer than \(Self.longestNumber) characters")
            }
            token.removeAll(keepingCapacity: true)
            for byte in bytes[start..<position] { token.append(CChar(bitPattern: byte)) }
            token.append(0)
            values.append(try parse(token, start))
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return values
            case let byte: throw Problem(offset: position - 1, reason: "expected ',' or ']' in a number array, found '\(Character(Unicode.Scalar(byte)))'")
            }
        }
    }

    private static let longestNumber = 64

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "{"),
             UInt8(ascii: "\""), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): true
        default: false
        }
    }

    private mutating func skipString() throws {
        let start = position
        position += 1
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\\"): position += 2
            case UInt8(ascii: "\""): position += 1; return
            default: position += 1
            }
        }
        throw Problem(offset: start, reason: "a string that does not end")
    }

    private mutating func skipWhitespace(allowingEnd: Bool = false) throws {
        while position < bytes.count, Self.isWhitespace(bytes[position]) { position += 1 }
        if position >= bytes.count, !allowingEnd { throw Problem(offset: position, reason: "the document ends too soon") }
    }

    private mutating func peek() throws -> UInt8 {
        try skipWhitespace()
        return bytes[position]
    }

    private mutating func next() throws -> UInt8 {
        let byte = try peek()
        position += 1
        return byte
    }

    private mutating func expect(_ byte: UInt8) throws {
        let found = try next()
        guard found == byte else {
            throw Problem(offset: position - 1, reason: "expected '\(Character(Unicode.Scalar(byte)))', found '\(Character(Unicode.Scalar(found)))'")
        }
    }
}
