/// Bash-style brace expansion of shard names, as webdataset expands its URLs (with the `braceexpand` package):
/// `test-{000..099}.tar` is 100 names.
///
/// - `{a,b,c}` alternatives, which may nest and may be empty (`{a,}`);
/// - `{1..10}` integer ranges, either direction, negative numbers allowed; when either end is written with a leading
///   zero (`{007..120}`) every number is zero-padded to the longer end's width;
/// - `{a..e}` letter ranges over `A…Za…z`;
/// - `{1..10..3}` a step (its sign is ignored, 0 means 1);
/// - a brace group that is none of these (`{x}`, `{}`) stays as written, its inside still expanded;
/// - `\{`, `\}`, `\,` and `\\` are the characters themselves.
///
/// Names come out in order, the leftmost group varying slowest. Unlike `braceexpand`, a `}` without its `{` is an
/// error too, not only a `{` without its `}`; and numbers have at most 18 digits. The expansion is bounded: a
/// pattern may be at most `maximumLength` characters, nest at most `maximumDepth` groups and name at most `limit`
/// names — counted before any name is made.
enum BracePattern {
    static let maximumNames = 100_000
    static let maximumLength = 4096
    static let maximumDepth = 32

    /// The names `pattern` stands for, in order.
    static func expand(_ pattern: String, limit: Int = maximumNames) throws -> [String] {
        let text = Array(pattern)
        func fail(_ reason: String) -> DatasetError { .invalidPattern(pattern: pattern, reason: reason) }
        guard text.count <= maximumLength else { throw fail("longer than \(maximumLength) characters") }
        let product = try Parser(text: text, fail: fail).product(text[...], depth: 0)
        let count = try product.count(limit: limit, fail: fail)
        guard count <= limit else { throw fail("names more than \(limit) shards") }
        return product.names().map(unescaped)
    }

    /// `\x` → `x`, as `braceexpand` strips escapes from each name once it is made.
    private static func unescaped(_ name: String) -> String {
        guard name.contains("\\") else { return name }
        var out = "", escaping = false
        for c in name {
            if escaping { out.append(c); escaping = false } else if c == "\\" { escaping = true } else { out.append(c) }
        }
        if escaping { out.append("\\") }
        return out
    }
}

/// A pattern: the product of its parts, left to right.
private struct Product {
    var parts: [Part]

    /// How many names it makes; more than `limit` is an error (counted with overflow checks, so never wraps).
    func count(limit: Int, fail: (String) -> DatasetError) throws -> Int {
        var total = 1
        for part in parts {
            let (product, overflow) = total.multipliedReportingOverflow(by: try part.count(limit: limit, fail: fail))
            guard !overflow, product <= limit else { throw fail("names more than \(limit) shards") }
            total = product
        }
        return total
    }

    func names() -> [String] {
        parts.reduce([""]) { prefixes, part in
            let tails = part.names()
            return prefixes.flatMap { prefix in tails.map { prefix + $0 } }
        }
    }
}

/// One piece of a pattern: text, a choice among sub-patterns, or a range.
private enum Part {
    case literal(String)
    case choice([Product])
    case integers(IntegerRange)
    case letters(LetterRange)

    func count(limit: Int, fail: (String) -> DatasetError) throws -> Int {
        switch self {
        case .literal: return 1
        case .integers(let range): return range.count
        case .letters(let range): return range.count
        case .choice(let alternatives):
            var total = 0
            for alternative in alternatives {
                total += try alternative.count(limit: limit, fail: fail)
                guard total <= limit else { throw fail("names more than \(limit) shards") }
            }
            return total
        }
    }

    func names() -> [String] {
        switch self {
        case .literal(let text): [text]
        case .choice(let alternatives): alternatives.flatMap { $0.names() }
        case .integers(let range): range.names()
        case .letters(let range): range.names()
        }
    }
}

/// `{start..end..step}` over integers, written zero-padded to `width` (0: not padded).
private struct IntegerRange {
    var start: Int
    var end: Int
    var step: Int
    var width: Int

    /// Both ends have at most 18 digits, so their distance cannot overflow.
    var count: Int { abs(end - start) / step + 1 }

    func names() -> [String] {
        (0..<count).map { i in
            let value = start < end ? start + i * step : start - i * step
            let digits = String(value.magnitude)
            let padded = String(repeating: "0", count: max(0, width - digits.count - (value < 0 ? 1 : 0))) + digits
            return value < 0 ? "-" + padded : padded
        }
    }
}

/// `{a..z..step}` over `A…Za…z`, by position in that alphabet.
private struct LetterRange {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    var start: Int
    var end: Int
    var step: Int

    var count: Int { abs(end - start) / step + 1 }

    func names() -> [String] {
        (0..<count).map { i in String(Self.alphabet[start < end ? start + i * step : start - i * step]) }
    }
}

/// The recursive-descent reading of a pattern into parts.
private struct Parser {
    let text: [Character]
    let fail: (String) -> DatasetError

    /// Text with brace groups: each balanced group becomes a range, a choice, or itself verbatim.
    func product(_ s: ArraySlice<Character>, depth: Int) throws -> Product {
        guard depth <= BracePattern.maximumDepth else { throw fail("braces nested more than \(BracePattern.maximumDepth) deep") }
        var parts = [Part](), start = s.startIndex, open = 0, pos = s.startIndex
        while pos < s.endIndex {
            switch s[pos] {
            case "\\":
                pos += 2
                continue
            case "{":
                if open == 0 {
                    if pos > start { parts.append(.literal(String(s[start..<pos]))) }
                    start = pos
                }
                open += 1
            case "}":
                open -= 1
                guard open >= 0 else { throw fail("a '}' at character \(pos + 1) closes no '{'") }
                if open == 0 {
                    let inside = s[(start + 1)..<pos]
                    if let part = try expression(inside, depth: depth) {
                        parts.append(part)
                    } else {
                        parts += [.literal("{"), .choice([try product(inside, depth: depth + 1)]), .literal("}")]
                    }
                    start = pos + 1
                }
            default: break
            }
            pos += 1
        }
        guard open == 0 else { throw fail("a '{' at character \(start + 1) is never closed") }
        if start < s.endIndex { parts.append(.literal(String(s[start..<s.endIndex]))) }
        return Product(parts: parts)
    }

    /// A group's inside: an integer or letter range, or alternatives split at top-level commas; nil for neither.
    private func expression(_ s: ArraySlice<Character>, depth: Int) throws -> Part? {
        if let range = try integerRange(s) { return .integers(range) }
        if let range = try letterRange(s) { return .letters(range) }
        var pieces = [ArraySlice<Character>](), start = s.startIndex, open = 0, pos = s.startIndex
        while pos < s.endIndex {
            switch s[pos] {
            case "\\":
                pos += 2
                continue
            case "{": open += 1
            case "}": open -= 1
            case "," where open == 0:
                pieces.append(s[start..<pos])
                start = pos + 1
            default: break
            }
            pos += 1
        }
        guard open == 0, !pieces.isEmpty else { return nil }
        pieces.append(s[min(start, s.endIndex)..<s.endIndex])
        return .choice(try pieces.map { try product($0, depth: depth + 1) })
    }

    /// `-?digits..-?digits` with an optional `..-?digits` step.
    private func integerRange(_ s: ArraySlice<Character>) throws -> IntegerRange? {
        let fields = String(s).components(separatedBy: "..")
        guard fields.count == 2 || fields.count == 3, fields.allSatisfy(isInteger) else { return nil }
        guard let start = try number(fields[0]), let end = try number(fields[1]) else { return nil }
        let step = fields.count == 3 ? try number(fields[2]).map { $0 == 0 ? 1 : abs($0) } ?? 1 : 1
        let padded = fields[0...1].contains { $0 != "0" && $0 != "-0" && ($0.hasPrefix("0") || $0.hasPrefix("-0")) }
        return IntegerRange(start: start, end: end, step: step, width: padded ? max(fields[0].count, fields[1].count) : 0)
    }

    /// `letter..letter` with an optional `..-?digits` step.
    private func letterRange(_ s: ArraySlice<Character>) throws -> LetterRange? {
        let fields = String(s).components(separatedBy: "..")
        guard fields.count == 2 || fields.count == 3, fields.count == 2 || isInteger(fields[2]),
              let start = LetterRange.alphabet.firstIndex(where: { String($0) == fields[0] }),
              let end = LetterRange.alphabet.firstIndex(where: { String($0) == fields[1] }) else { return nil }
        let step = fields.count == 3 ? try number(fields[2]).map { $0 == 0 ? 1 : abs($0) } ?? 1 : 1
        return LetterRange(start: start, end: end, step: step)
    }

    private func isInteger(_ field: String) -> Bool {
        let digits = field.hasPrefix("-") ? field.dropFirst() : field[...]
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private func number(_ field: String) throws -> Int? {
        guard field.drop(while: { $0 == "-" }).count <= 18 else { throw fail("the number '\(field)' has more than 18 digits") }
        return Int(field)
    }
}
