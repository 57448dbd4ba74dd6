import Foundation
import Testing
@testable import Embeval

/// The engine's parts on their own: the Unicode classes of `tokenizers`' Rust crates (probed over every code point,
/// tools/fixtures/tokenizers_unicode.py), split behaviours, time linear in the input, and one-line errors.
@Suite struct TokenizerEngineTests {
    @Test func characterClassesMatchTokenizersOverEveryCodePoint() throws {
        let url = TestPaths.fixture("tokenizers/unicode_classes.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let classes = json["classes"] as! [String: [[Int]]]
        let bertAccent: (Unicode.Scalar) -> Bool = { s in
            let decomposed = UnicodeNormalization.nfd(String(s)).unicodeScalars
            return decomposed.allSatisfy(TokenizersCharacterClass.isNonspacingMark)
        }
        let tests: [String: (Unicode.Scalar) -> Bool] = [
            "bert_control": { $0.value == 0 || $0.value == 0xFFFD || TokenizersCharacterClass.isControl($0) },
            "bert_whitespace": { $0 != " " && !TokenizersCharacterClass.isControl($0) && TokenizersCharacterClass.isWhitespace($0) },
            "bert_accent": bertAccent,
            "chinese": TokenizersCharacterClass.isChineseCharacter,
            "combining_mark": TokenizersCharacterClass.isCombiningMark,
            "punctuation": TokenizersCharacterClass.isPunctuation,
            "word": RegexCharacterClass.isWord,
            "whitespace_regex": { !RegexCharacterClass.isWord($0) && RegexCharacterClass.isWhitespace($0) },
            "numeric": TokenizersCharacterClass.isNumeric,
            "whitespace": TokenizersCharacterClass.isWhitespace,
        ]
        #expect(Set(tests.keys) == Set(classes.keys))
        for (name, ranges) in classes {
            guard let test = tests[name] else { continue }
            var expected = Set<UInt32>()
            for range in ranges { for c in range[0]...range[1] { expected.insert(UInt32(c)) } }
            var wrong = [String]()
            for value in UInt32(0)..<0x110000 {
                guard let s = Unicode.Scalar(value) else { continue }
                if test(s) != expected.contains(value) { wrong.append(String(value, radix: 16)) }
            }
            #expect(wrong.isEmpty, "\(name): \(wrong.count) code points differ, e.g. \(wrong.prefix(8))")
        }
    }

    @Test func splitBehavioursCutAsTokenizersDoes() {
        // "a--b-" cut at each "-": the five behaviours, and inverted.
        let matches = [1..<2, 2..<3, 4..<5]
        func pieces(_ b: SplitBehavior, invert: Bool = false) -> [Range<Int>] { b.pieces(count: 5, matches: matches, invert: invert) }
        #expect(pieces(.removed) == [0..<1, 3..<4])
        #expect(pieces(.isolated) == [0..<1, 1..<2, 2..<3, 3..<4, 4..<5])
        #expect(pieces(.mergedWithPrevious) == [0..<2, 2..<3, 3..<5])
        #expect(pieces(.mergedWithNext) == [0..<1, 1..<2, 2..<4, 4..<5])
        #expect(pieces(.contiguous) == [0..<1, 1..<3, 3..<4, 4..<5])
        #expect(pieces(.removed, invert: true) == [1..<2, 2..<3, 4..<5])
    }

    /// A 120,000-character word through every family's pipeline: under a second each (0.3–0.8 s in this
    /// unoptimised test build; the bound allows a loaded machine twice that), and no worse than linear (ten times
    /// the text may take at most thirty times as long).
    @Test(arguments: TokenizerFamilies.names)
    func timeIsLinearInTheInput(_ name: String) throws {
        let tokenizer = try TokenizerPipeline(path: TokenizerFamilies.directory.appendingPathComponent(name).path)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzé東ñ")
        func word(_ length: Int) -> String { String((0..<length).map { alphabet[($0 * 7 + $0 / 13) % alphabet.count] }) }
        let short = word(12_000), long = word(120_000)
        _ = tokenizer.encode(String(short.prefix(100)), maxLength: nil)
        let clock = ContinuousClock()
        var shortIDs = [Int](), longIDs = [Int]()
        let shortTime = clock.measure { shortIDs = tokenizer.encode(short, maxLength: nil) }
        let longTime = clock.measure { longIDs = tokenizer.encode(long, maxLength: nil) }
        print("\(name): 12,000 characters in \(shortTime), 120,000 in \(longTime) (\(longIDs.count) ids)")
        #expect(!shortIDs.isEmpty && !longIDs.isEmpty)
        #expect(longTime < .seconds(2))
        #expect(longTime < shortTime * 30 + .milliseconds(50))
    }

    /// Foundation's parser would merge canonically equivalent keys ("é" and "e" + U+0301) and drop an id; the
    /// vocabulary is read from the bytes, so both tokens keep theirs (as escapes, raw UTF-8, and with a BOM).
    @Test func canonicallyEquivalentTokensKeepTheirOwnIds() throws {
        let file = TestPaths.scratch().appendingPathComponent("tokenizer.json")
        for vocab in [#"{"<unk>": 0, "é": 1, "é": 2, "﻿x": 3}"#, "{\"<unk>\": 0, \"\u{e9}\": 1, \"e\u{301}\": 2, \"\u{feff}x\": 3}"] {
            let text = #"{"added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": null, "model": {"type": "WordLevel", "unk_token": "<unk>", "vocab": "# + vocab + "}}"
            try text.write(to: file, atomically: true, encoding: .utf8)
            let json = try TokenizerJSON(data: Data(contentsOf: file), path: file.path)
            #expect(json.vocab.count == 4)
            let tokenizer = try TokenizerPipeline(path: file.path)
            #expect(tokenizer.encode("\u{e9} e\u{301} \u{feff}x y", maxLength: nil) == [1, 2, 3, 0])
        }
    }

    /// Review findings: a string merge whose second token starts with a combining mark (" \u{308}" is one Swift
    /// character) and a "#version" header line; `single_word` judged by regex `\w` ("²" is not a word character).
    @Test func mergesSplitOnTheSpaceCharacterAndSingleWordUsesRegexWord() throws {
        let json = try TokenizerJSON(data: Data("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"\u{308}\": 1, \"a\u{308}\": 2}, \"merges\": [\"#version: 0.2\", \"a \u{308}\"]}}".utf8), path: "x")
        #expect(json.merges.count == 1 && json.merges[0].0 == "a" && Array(json.merges[0].1.unicodeScalars) == ["\u{308}"])
        let file = TestPaths.scratch().appendingPathComponent("tokenizer.json")
        try #"{"added_tokens": [{"id": 3, "content": "ab", "single_word": true, "special": false, "normalized": false}], "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": null, "model": {"type": "WordLevel", "unk_token": "<unk>", "vocab": {"<unk>": 0, "ab": 1, "²ab": 2, "²": 4}}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        // "ab" is in the vocabulary, so the added token takes its id 1 (not the 3 the file writes), as in tokenizers.
        #expect(try TokenizerPipeline(path: file.path).encode("\u{b2}ab xab", maxLength: nil) == [4, 1, 0])
    }

    @Test func malformedComponentsAreOneLineErrors() throws {
        let file = TestPaths.scratch().appendingPathComponent("tokenizer.json")
        func load(model: String, normalizer: String = "null") throws {
            try #"{"added_tokens": [], "normalizer": \#(normalizer), "pre_tokenizer": null, "post_processor": null, "model": {\#(model)}}"#
                .write(to: file, atomically: true, encoding: .utf8)
            _ = try TokenizerLoader.load(path: file.path)
        }
        let wordPiece = #""type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 1}"#
        let cases: [(String, String, String)] = [
            (#""type": "WordPiece", "unk_token": "[UNK]", "vocab": {"a": 1}"#, "null", "WordPiece unk_token '[UNK]' is not in the vocabulary"),
            (#""type": "WordLevel", "unk_token": "<unk>", "vocab": {"a": 1}"#, "null", "WordLevel unk_token '<unk>' is not in the vocabulary"),
            (#""type": "Unigram", "unk_id": 5, "vocab": [["a", -1.0]]"#, "null", "the Unigram model has no unk_id inside its vocabulary"),
            (#""type": "Unigram", "unk_id": 0, "vocab": []"#, "null", "the Unigram model has an empty vocabulary"),
            (wordPiece, #"{"type": "Precompiled", "precompiled_charsmap": "not base64!"}"#,
             "the Precompiled normalizer's charsmap is not a valid base64 SentencePiece charsmap"),
            // A trie size past the end of the blob (8 bytes of trie claimed, 5 given): refused, not read out of bounds.
            (wordPiece, #"{"type": "Precompiled", "precompiled_charsmap": "CAAAAAECAwQF"}"#,
             "the Precompiled normalizer's charsmap is not a valid base64 SentencePiece charsmap"),
        ]
        for (model, normalizer, reason) in cases {
            #expect(throws: TokenizerError.tokenizerFile(path: file.path, reason: reason)) { try load(model: model, normalizer: normalizer) }
        }
    }

    @Test func wordPieceUnigramAndWordLevelFromHandWrittenFiles() throws {
        let file = TestPaths.scratch().appendingPathComponent("tokenizer.json")
        func tokenizer(_ model: String, preTokenizer: String = #"{"type": "WhitespaceSplit"}"#) throws -> TokenizerPipeline {
            try #"{"added_tokens": [], "normalizer": null, "pre_tokenizer": \#(preTokenizer), "post_processor": null, "model": {\#(model)}}"#
                .write(to: file, atomically: true, encoding: .utf8)
            return try TokenizerPipeline(path: file.path)
        }
        let wordPiece = try tokenizer(###""type": "WordPiece", "unk_token": "[UNK]", "max_input_chars_per_word": 9, "vocab": {"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "a": 4}"###)
        #expect(wordPiece.encode("unaffable a unxyz aaaaaaaaaa", maxLength: nil) == [1, 2, 3, 4, 0, 0])
        let unigram = try tokenizer(#""type": "Unigram", "unk_id": 0, "byte_fallback": true, "vocab": [["<unk>", 0.0], ["ab", -1.0], ["a", -2.0], ["b", -2.0], ["<0xC3>", -5.0], ["<0xA9>", -5.0]]"#)
        #expect(unigram.encode("ab aab é", maxLength: nil) == [1, 2, 1, 4, 5])
        let wordLevel = try tokenizer(#""type": "WordLevel", "unk_token": "<unk>", "vocab": {"<unk>": 0, "cat": 1, "dog": 2}"#)
        #expect(wordLevel.encode("cat dog bird", maxLength: nil) == [1, 2, 0])
    }
}
