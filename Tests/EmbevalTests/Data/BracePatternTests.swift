import Testing
@testable import Embeval

/// Brace patterns expand as Python's `braceexpand` 0.1.7 (what webdataset uses) expands them: each expected list
/// below is its output for the pattern.
@Suite struct BracePatternTests {
    static let braceexpand: [(String, [String])] = [
        ("shards/test-{000..003}.tar", ["shards/test-000.tar", "shards/test-001.tar", "shards/test-002.tar", "shards/test-003.tar"]),
        ("a{1..3}b", ["a1b", "a2b", "a3b"]),
        ("{a,b}{1,2}", ["a1", "a2", "b1", "b2"]),
        ("{a,{b,c}}x", ["ax", "bx", "cx"]),
        ("{x}", ["{x}"]),
        ("{}", ["{}"]),
        ("a{,b}", ["a", "ab"]),
        ("{9..11}", ["9", "10", "11"]),
        ("{07..10}", ["07", "08", "09", "10"]),
        ("{-2..1}", ["-2", "-1", "0", "1"]),
        ("{1..-2}", ["1", "0", "-1", "-2"]),
        ("{-01..1}", ["-01", "000", "001"]),
        ("{1..10..3}", ["1", "4", "7", "10"]),
        ("{10..1..-4}", ["10", "6", "2"]),
        ("{a..e..2}", ["a", "c", "e"]),
        ("{Y..b}", ["Y", "Z", "a", "b"]),
        ("{b..Y}", ["b", "a", "Z", "Y"]),
        ("{c..A}", ["c", "b", "a", "Z", "Y", "X", "W", "V", "U", "T", "S", "R", "Q", "P", "O", "N", "M", "L", "K", "J",
                    "I", "H", "G", "F", "E", "D", "C", "B", "A"]),
        (#"x\{1,2\}"#, ["x{1,2}"]),
        (#"a\,b{1,2}"#, ["a,b1", "a,b2"]),
        (#"{a\,b,c}"#, ["a,b", "c"]),
        ("{1..3}{a..b}", ["1a", "1b", "2a", "2b", "3a", "3b"]),
        ("plain.tar", ["plain.tar"]),
        ("{a{1,2}}", ["{a1}", "{a2}"]),
        ("{0..0}", ["0"]),
        ("{-0..2}", ["0", "1", "2"]),
        ("{00..2..0}", ["00", "01", "02"]),
        ("{1..2}{}", ["1{}", "2{}"]),
    ]

    @Test(arguments: braceexpand.map { [$0.0] + $0.1 })
    func expandsAsBraceexpand(_ c: [String]) throws {
        #expect(try BracePattern.expand(c[0]) == Array(c.dropFirst()))
    }

    /// Malformed or oversized patterns: an error naming the pattern, never a partial list (`}{` is literal text to
    /// `braceexpand`; a `}` that closes nothing is refused here).
    @Test(arguments: [
        ("{1{2,3}", "a '{' at character 1 is never closed"),
        ("a{b", "a '{' at character 2 is never closed"),
        ("}{", "a '}' at character 1 closes no '{'"),
        ("a}b", "a '}' at character 2 closes no '{'"),
        ("x{0..100000}.tar", "names more than 100000 shards"),
        ("{0..999}{0..999}", "names more than 100000 shards"),
        ("{0..9223372036854775807}", "has more than 18 digits"),
        ("{-999999999999999999..999999999999999999}", "names more than 100000 shards"),
        (String(repeating: "{a,", count: 40) + String(repeating: "}", count: 40), "nested more than 32 deep"),
        (String(repeating: "a", count: 5000), "longer than 4096 characters"),
    ])
    func refusesWhatItCannotExpand(pattern: String, reason: String) {
        #expect {
            try BracePattern.expand(pattern)
        } throws: { error in
            guard case DatasetError.invalidPattern(let p, let r) = error else { return false }
            return p == pattern && r.contains(reason) && "\(error)".hasPrefix("brace pattern '")
        }
    }

    @Test func theLimitIsCountedBeforeAnyNameIsMade() throws {
        #expect(try BracePattern.expand("{1..10}", limit: 10).count == 10)
        #expect(throws: DatasetError.self) { try BracePattern.expand("{1..11}", limit: 10) }
        #expect(throws: DatasetError.self) { try BracePattern.expand("{a,b,c}{1..4}", limit: 10) }
    }
}
